import Testing

@testable import RondoneS3

/// What S3 answers, read without a server: listings, error bodies, malformed XML
/// (an error, never a crash), and the retry policy's arithmetic.
@Suite struct S3ResponseParsingTests {
    @Test func listingWithEntitiesAndURLEncoding() throws {
        let body = Array(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>bucket</Name><Prefix>a</Prefix><KeyCount>3</KeyCount><MaxKeys>3</MaxKeys>
              <EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
              <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
              <Contents><Key>a+b%2Bc%26d</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified>
                <ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>0</Size>
                <StorageClass>STANDARD</StorageClass></Contents>
              <Contents><Key>a/%C3%A9%3D</Key><Size>5242880</Size></Contents>
              <CommonPrefixes><Prefix>a/dir%20x/</Prefix></CommonPrefixes>
            </ListBucketResult>
            """.utf8)
        let list = try S3Client.parseObjectList(body)
        #expect(list.objects.map(\.key) == ["a b+c&d", "a/é="])
        #expect(list.objects[0].eTag == "\"d41d8cd98f00b204e9800998ecf8427e\"")
        #expect(list.objects[0].lastModified == "2026-01-02T03:04:05.000Z")
        #expect(list.objects[1].size == 5_242_880)
        #expect(list.commonPrefixes == ["a/dir x/"])
        #expect(list.nextContinuationToken == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
    }

    @Test func listingWithoutURLEncodingKeepsKeysAsTheyAre() throws {
        let body = Array(
            """
            <ListBucketResult><IsTruncated>false</IsTruncated>
            <Contents><Key>a+b &amp; &lt;c&gt; &#233;&#x263A;<![CDATA[<raw>]]></Key><Size>1</Size></Contents>
            </ListBucketResult>
            """.utf8)
        let list = try S3Client.parseObjectList(body)
        #expect(list.objects.map(\.key) == ["a+b & <c> é☺<raw>"])
        #expect(list.nextContinuationToken == nil)
    }

    @Test(arguments: [
        "", "not xml", "<ListBucketResult>", "<ListBucketResult></Other>", "<Error><Code>x</Code></Error>",
        "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult><Contents><Key>k</Key><Size>big</Size></Contents></ListBucketResult>",
        "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
        "<ListBucketResult><IsTruncated>maybe</IsTruncated></ListBucketResult>",
        "<ListBucketResult><EncodingType>url</EncodingType><Contents><Key>%ZZ</Key><Size>1</Size></Contents></ListBucketResult>",
        "<ListBucketResult>&bogus;</ListBucketResult>", "<ListBucketResult>&#xD800;</ListBucketResult>",
        "<ListBucketResult/><Second/>", "<a attr=\"unterminated></a>", "<!-- never closed",
        String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100),
    ])
    func malformedListingsAreErrors(_ text: String) {
        #expect(throws: S3Client.ListingError.self) { try S3Client.parseObjectList(Array(text.utf8)) }
    }

    @Test func randomBytesNeverCrashTheParser() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("<>/&;#x?!-[]CDATA\"' =abKeyContents".utf8)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0..<80, using: &generator)).map { _ in
                alphabet.randomElement(using: &generator)!
            }
            _ = try? S3XML.parse(bytes)
            _ = try? S3Client.parseObjectList(bytes)
            _ = S3Error.details(ofErrorBody: bytes)
        }
    }

    @Test func errorBodyDetails() {
        let body = Array(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match.</Message>
            <RequestId>4442587FB7D0A2F9</RequestId></Error>
            """.utf8)
        let details = S3Error.details(ofErrorBody: body)
        #expect(details.code == "SignatureDoesNotMatch")
        #expect(details.message == "The request signature we calculated does not match.")
        #expect(details.requestID == "4442587FB7D0A2F9")
        #expect(S3Error.details(ofErrorBody: []).code == nil)
        #expect(
            S3Error.details(ofErrorBody: Array("Bad Gateway".utf8)).message == "non-XML body: Bad Gateway")
    }

    @Test func errorDescriptionSaysWhichRequestAndWhy() {
        let error = S3Error(
            operation: "PutObject", method: "PUT", bucket: "b", key: "m/1", reason: .status(503),
            code: "SlowDown",
            message: "Please reduce your request rate.", requestID: "R1", attempts: 6)
        #expect(
            error.description
                == "S3 PutObject (PUT b/m/1) failed after 6 attempts: HTTP 503 SlowDown: Please reduce your request rate. (request id R1)"
        )
        #expect(error.isRetryable)
        let refused = S3Error(
            operation: "ListObjectsV2", method: "GET", bucket: "b", key: nil,
            reason: .transport("connection refused"),
            attempts: 1)
        #expect(
            refused.description
                == "S3 ListObjectsV2 (GET b) failed after 1 attempt: no answer: connection refused")
        #expect(
            !S3Error(
                operation: "GetObject", method: "GET", bucket: "b", key: "k", reason: .status(403),
                attempts: 1
            ).isRetryable)
        #expect(
            !S3Error(operation: "X", method: "POST", bucket: "b", key: nil, reason: .status(501), attempts: 1)
                .isRetryable)
    }

    @Test func backoffGrowsAndIsBounded() {
        let policy = S3RetryPolicy(
            maximumAttempts: 10, initialBackoff: .milliseconds(100), maximumBackoff: .seconds(1),
            budget: .seconds(5))
        #expect(
            (1...6).map { policy.backoffCeiling(beforeRetry: $0) }
                == [
                    .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
                    .seconds(1), .seconds(1),
                ])
        var generator = SystemRandomNumberGenerator()
        for retry in 1...8 {
            let wait = policy.backoff(beforeRetry: retry, using: &generator)
            #expect(wait >= .zero && wait <= policy.backoffCeiling(beforeRetry: retry))
        }
        #expect(S3RetryPolicy(maximumAttempts: 0).maximumAttempts == 1)
    }

    @Test func xmlEscapeRoundTrips() throws {
        let key = "a&b<c>\"d'e\tf\ng\rh é"
        let document = try S3XML.parse(Array("<Key>\(S3XML.escape(key))</Key>".utf8))
        #expect(document.text == key)
        #expect(S3XML.canRepresent(key))
        #expect(!S3XML.canRepresent("a\u{1}b"))
    }
}
