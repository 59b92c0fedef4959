import Testing

@testable import RondoneS3

/// The client against a real S3 server with signature checking on (moto, started by
/// scripts/s3-test-server.sh; skipped without `RONDONE_TEST_S3_URL`).
@Suite(.enabled(if: S3TestServer.available, "needs RONDONE_TEST_S3_URL (scripts/s3-test-server.sh)"))
struct S3IntegrationTests {
    @Test func putGetOverwriteHeadDelete() async throws {
        let key = S3TestServer.prefix("basic") + "object"
        try await S3TestServer.withClient { s3 in
            try await s3.putObject(key: key, bytes: [1, 2, 3])
            #expect(try await s3.getObject(key: key) == [1, 2, 3])
            try await s3.putObject(key: key, bytes: [4, 5])
            #expect(try await s3.getObject(key: key) == [4, 5])
            let info = try #require(try await s3.headObject(key: key))
            #expect(info.size == 2)
            #expect(info.eTag?.isEmpty == false)
            try await s3.deleteObject(key: key)
            #expect(try await s3.getObject(key: key) == nil)
            #expect(try await s3.headObject(key: key) == nil)
            try await s3.deleteObject(key: key)
        }
    }

    @Test func emptyObject() async throws {
        let key = S3TestServer.prefix("empty") + "nothing"
        try await S3TestServer.withClient { s3 in
            try await s3.putObject(key: key, bytes: [])
            #expect(try await s3.getObject(key: key) == [])
            #expect(try await s3.headObject(key: key)?.size == 0)
        }
    }

    @Test func missingObjectIsNilButMissingBucketIsAnError() async throws {
        try await S3TestServer.withClient { s3 in
            #expect(try await s3.getObject(key: S3TestServer.prefix("missing") + "never-written") == nil)
            #expect(try await s3.headBucket())
            try await s3.createBucketIfMissing()
        }
        try await S3TestServer.withClient(bucket: "rondone-no-such-bucket") { s3 in
            #expect(try await !s3.headBucket())
            let error = try await #require(throws: S3Error.self) { try await s3.getObject(key: "k") }
            #expect(error.status == 404)
            #expect(error.code == "NoSuchBucket")
            #expect(error.attempts == 1)
        }
    }

    @Test func listWithPrefixDelimiterAndPages() async throws {
        let prefix = S3TestServer.prefix("list")
        try await S3TestServer.withClient { s3 in
            let keys = (0..<23).map { "\(prefix)m/\(String(repeating: "0", count: $0 < 10 ? 1 : 0))\($0)" }
            for key in keys { try await s3.putObject(key: key, bytes: Array(key.utf8)) }
            try await s3.putObject(key: "\(prefix)other/x", bytes: [0])
            try await s3.putObject(key: "\(prefix)m-sibling", bytes: [0])

            var pages: [[String]] = []
            var token: String?
            repeat {
                let page = try await s3.listObjects(
                    prefix: "\(prefix)m/", continuationToken: token, maxKeys: 7)
                pages.append(page.objects.map(\.key))
                token = page.nextContinuationToken
            } while token != nil
            #expect(pages.map(\.count) == [7, 7, 7, 2])
            #expect(pages.flatMap { $0 } == keys)

            let listed = try await s3.listAllObjects(prefix: "\(prefix)m/")
            #expect(listed.map(\.key) == keys)
            #expect(listed.allSatisfy { $0.size == Int64($0.key.utf8.count) })

            let top = try await s3.listObjects(prefix: prefix, delimiter: "/")
            #expect(top.commonPrefixes == ["\(prefix)m/", "\(prefix)other/"])
            #expect(top.objects.map(\.key) == ["\(prefix)m-sibling"])
            #expect(try await s3.listObjects(prefix: "\(prefix)none/").objects.isEmpty)
        }
    }

    /// More than one page of 1000 and more than one DeleteObjects batch of 1000.
    @Test func thousandsOfKeysListedAndMultiDeleted() async throws {
        let prefix = S3TestServer.prefix("many")
        let keys = (0..<1003).map { "\(prefix)\($0)" }
        try await S3TestServer.withClient { s3 in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for key in keys[...].enumerated().filter({ $0.offset % 8 == worker }).map(\.element) {
                            try await s3.putObject(key: key, bytes: [1])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let first = try await s3.listObjects(prefix: prefix)
            #expect(first.objects.count == 1000)
            #expect(first.nextContinuationToken != nil)
            #expect(Set(try await s3.listAllObjects(prefix: prefix).map(\.key)) == Set(keys))

            try await s3.deleteObjects(keys: keys + ["\(prefix)never-there"])
            #expect(try await s3.listAllObjects(prefix: prefix).isEmpty)
            try await s3.deleteObjects(keys: [])
        }
    }

    static let awkwardKeys = [
        "with space", "plus+sign", "equals=sign", "a/b/c", "ünïcödé/日本語/🙂", "amp&ersand", "per%cent",
        "<angle>\"quote\"'apos'", "tilde~dash-under_dot.", "semi;colon,comma:colon@at!bang$dollar",
        "(paren)*star",
        "question?mark#hash", "double//slash", "trailing/", "back\\slash", "[brackets]{braces}",
        "caret^pipe|backtick`",
    ]

    @Test func awkwardKeysRoundTrip() async throws {
        let prefix = S3TestServer.prefix("awkward")
        let keys = Self.awkwardKeys.map { prefix + $0 }
        try await S3TestServer.withClient { s3 in
            for key in keys {
                try await s3.putObject(key: key, bytes: Array(key.utf8))
                #expect(try await s3.getObject(key: key) == Array(key.utf8), "\(key)")
                #expect(try await s3.headObject(key: key)?.size == Int64(key.utf8.count), "\(key)")
            }
            let listed = try await s3.listAllObjects(prefix: prefix).map(\.key)
            #expect(Set(listed) == Set(keys))
            #expect(
                try await s3.listObjects(prefix: prefix + "plus+").objects.map(\.key) == [
                    prefix + "plus+sign"
                ])
            try await s3.deleteObjects(keys: keys)
            #expect(try await s3.listAllObjects(prefix: prefix).isEmpty)
        }
    }

    @Test func fiveMegabyteBody() async throws {
        let key = S3TestServer.prefix("large") + "5MB"
        let body = S3TestServer.bytes(5 << 20, seed: 5)
        try await S3TestServer.withClient { s3 in
            try await s3.putObject(key: key, bytes: body)
            let read = try #require(try await s3.getObject(key: key))
            #expect(read.count == body.count)
            #expect(read == body)
            try await s3.deleteObject(key: key)
        }
    }

    /// moto checks signatures: a wrong secret is refused with 403 SignatureDoesNotMatch,
    /// and a 4xx is never retried.
    @Test func wrongSecretIsRefusedWithoutRetries() async throws {
        let url = try #require(S3TestServer.url)
        var wrong = url.credentials
        wrong.secretAccessKey += "x"
        try await S3TestServer.withClient(credentials: wrong) { s3 in
            let error = try await #require(throws: S3Error.self) {
                try await s3.putObject(key: S3TestServer.prefix("auth") + "k", bytes: [1])
            }
            #expect(error.status == 403)
            #expect(error.code == "SignatureDoesNotMatch")
            #expect(error.attempts == 1)
            #expect(error.description.contains("S3 PutObject (PUT \(url.bucket)/run-"))
            #expect(error.description.contains("failed after 1 attempt: HTTP 403 SignatureDoesNotMatch"))
            let listing = try await #require(throws: S3Error.self) { try await s3.listObjects() }
            #expect(listing.code == "SignatureDoesNotMatch")
        }
    }

    @Test func unknownAccessKeyIsRefused() async throws {
        try await S3TestServer.withClient(
            credentials: S3Credentials(accessKeyID: "AKIAUNKNOWNKEY000000", secretAccessKey: "secret")
        ) { s3 in
            let error = try await #require(throws: S3Error.self) { try await s3.getObject(key: "k") }
            #expect(error.status == 403)
            #expect(error.code == "InvalidAccessKeyId")
            #expect(error.attempts == 1)
        }
    }

    @Test func concurrentRequestsShareThePool() async throws {
        let prefix = S3TestServer.prefix("concurrent")
        try await S3TestServer.withClient { s3 in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<64 {
                    group.addTask {
                        let key = "\(prefix)\(index)"
                        let body = S3TestServer.bytes(4096, seed: UInt64(index))
                        try await s3.putObject(key: key, bytes: body)
                        #expect(try await s3.getObject(key: key) == body)
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await s3.listAllObjects(prefix: prefix).count == 64)
        }
    }
}
