import RondoneIngest
import Testing

@Suite("Ingest errors")
struct IngestErrorTests {
    @Test func describesItselfByItsMessage() {
        let error = IngestError("bad payload")
        #expect(error.description == "bad payload")
        #expect(error == IngestError("bad payload"))
    }
}
