import HummingbirdTesting
import RondoneAPI
import RondoneAPITesting
import Testing

/// A shared backend that is down (PostgreSQL restarting, S3 answering 503 past the
/// retries) is a 503 a client retries, not a 500; any other unknown error stays a 500.
@Suite("Backend unavailable over HTTP")
struct BackendUnavailableTests {
    struct DatabaseDown: Error {}
    struct Bug: Error {}

    struct Failing: StatusProvider {
        let error: any Error
        func status(details: Bool) async throws -> ServiceStatus { throw error }
    }

    @Test func unavailableBackendIs503AndOtherErrorsStay500() async throws {
        let classify: @Sendable (any Error) -> String? = { $0 is DatabaseDown ? "PostgreSQL" : nil }
        try await APITestServer.run(services: {
            $0.status = Failing(error: DatabaseDown())
            $0.unavailable = classify
        }) { client in
            let response = try await client.request(
                .get, "/v1/status",
                headers: ["Authorization": APITestClient.admin, "Accept": "application/json"])
            #expect(response.status == .serviceUnavailable)
            #expect(response.text.contains("PostgreSQL is unavailable; please try again."))
        }
        try await APITestServer.run(services: {
            $0.status = Failing(error: Bug())
            $0.unavailable = classify
        }) { client in
            let response = try await client.request(
                .get, "/v1/status", headers: ["Authorization": APITestClient.admin])
            #expect(response.status == .internalServerError)
        }
    }
}
