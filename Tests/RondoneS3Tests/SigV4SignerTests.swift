import Testing

@testable import RondoneS3

/// The signer against the worked examples of AWS's S3 documentation ("Signature
/// Calculations for the Authorization Header: Transferring Payload in a Single Chunk"):
/// same credentials, same requests, same signatures.
@Suite struct SigV4SignerTests {
    let signer = SigV4Signer(
        credentials: S3Credentials(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    /// 2013-05-24T00:00:00Z, the examples' time.
    let time = SigningTime(secondsSinceEpoch: 1_369_353_600)
    let host = SigV4Signer.Header(name: "Host", value: "examplebucket.s3.amazonaws.com")

    func signed(
        _ method: String, _ path: String, query: [(name: String, value: String)] = [],
        headers: [SigV4Signer.Header] = [], body: [UInt8] = []
    ) -> String {
        var all = [host] + headers
        signer.sign(
            method: method, encodedPath: path, query: query, headers: &all,
            payloadHash: SigV4Signer.payloadHash(body),
            time: time)
        return all.last { $0.name == "Authorization" }!.value
    }

    @Test func getObject() {
        #expect(
            signed("GET", "/test.txt", headers: [.init(name: "Range", value: "bytes=0-9")])
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func getObjectCanonicalRequestAndStringToSign() {
        let headers = [
            host, .init(name: "range", value: "bytes=0-9"),
            .init(name: "x-amz-content-sha256", value: SigV4Signer.emptyPayloadHash),
            .init(name: "x-amz-date", value: "20130524T000000Z"),
        ]
        let (request, signedHeaders) = SigV4Signer.canonicalRequest(
            method: "GET", encodedPath: "/test.txt", canonicalQuery: "", headers: headers,
            payloadHash: SigV4Signer.emptyPayloadHash)
        #expect(
            request == """
                GET
                /test.txt

                host:examplebucket.s3.amazonaws.com
                range:bytes=0-9
                x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                x-amz-date:20130524T000000Z

                host;range;x-amz-content-sha256;x-amz-date
                e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
                """)
        #expect(signedHeaders == "host;range;x-amz-content-sha256;x-amz-date")
        #expect(
            SigV4Signer.stringToSign(
                canonicalRequest: request, amzDate: "20130524T000000Z",
                scope: "20130524/us-east-1/s3/aws4_request")
                    == """
                    AWS4-HMAC-SHA256
                    20130524T000000Z
                    20130524/us-east-1/s3/aws4_request
                    7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972
                    """)
    }

    /// PUT of `test$file.text`: the key's `$` is percent-encoded once in the signed path,
    /// and the body's SHA-256 is both sent and signed.
    @Test func putObject() throws {
        let url = try S3URL(
            parsing: "s3://examplebucket?path_style=false",
            environment: ["AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": "x"])
        let path = url.encodedPath(key: "test$file.text")
        #expect(path == "/test%24file.text")
        let body = Array("Welcome to Amazon S3.".utf8)
        #expect(
            SigV4Signer.payloadHash(body)
                == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let authorization = signed(
            "PUT", path,
            headers: [
                .init(name: "Date", value: "Fri, 24 May 2013 00:00:00 GMT"),
                .init(name: "x-amz-storage-class", value: "REDUCED_REDUNDANCY"),
            ], body: body)
        #expect(
            authorization.contains(
                "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"))
        #expect(
            authorization.hasSuffix(
                "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"))
    }

    /// GET `?lifecycle`: a parameter without a value is signed as `lifecycle=`.
    @Test func getBucketLifecycle() {
        #expect(
            signed("GET", "/", query: [("lifecycle", "")])
                .hasSuffix("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"))
    }

    /// GET `?max-keys=2&prefix=J`: parameters sorted by name, whatever order they come in.
    @Test func listObjects() {
        #expect(
            signed("GET", "/", query: [("prefix", "J"), ("max-keys", "2")])
                .hasSuffix("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"))
    }

    @Test func sessionTokenIsSentAndSigned() {
        var withToken = signer
        withToken.credentials.sessionToken = "TOKEN"
        var headers = [host]
        withToken.sign(
            method: "GET", encodedPath: "/k", query: [], headers: &headers,
            payloadHash: SigV4Signer.emptyPayloadHash, time: time)
        #expect(headers.contains(.init(name: "x-amz-security-token", value: "TOKEN")))
        #expect(
            headers.last!.value.contains(
                "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
    }

    @Test func canonicalQueryEncodesOnceAndSorts() {
        #expect(
            SigV4Signer.canonicalQuery([("prefix", "a b+c/é"), ("delete", ""), ("b", "2"), ("b", "1")])
                == "b=1&b=2&delete=&prefix=a%20b%2Bc%2F%C3%A9")
    }

    @Test func canonicalHeadersTrimAndJoin() {
        let (canonical, signed) = SigV4Signer.canonicalHeaders([
            .init(name: "X-Amz-Meta-A", value: "  one   two "), .init(name: "x-amz-meta-a", value: "three"),
            .init(name: "Host", value: "h"),
        ])
        #expect(canonical == "host:h\nx-amz-meta-a:one two,three\n")
        #expect(signed == "host;x-amz-meta-a")
    }

    @Test(arguments: [
        (Int64(0), "19700101T000000Z"), (1_369_353_600, "20130524T000000Z"),
        (951_782_400, "20000229T000000Z"),
        (1_709_251_199, "20240229T235959Z"), (4_102_444_800, "21000101T000000Z"), (-1, "19691231T235959Z"),
    ])
    func signingTimeFormats(_ seconds: Int64, _ expected: String) {
        let time = SigningTime(secondsSinceEpoch: seconds)
        #expect(time.amzDate == expected)
        #expect(time.dateStamp == String(expected.prefix(8)))
    }

    @Test func percentEncodingKeepsOnlyUnreserved() {
        #expect(S3Percent.encode("a b+c=d/é~_.-", keepSlash: true) == "a%20b%2Bc%3Dd/%C3%A9~_.-")
        #expect(S3Percent.encode("a/b", keepSlash: false) == "a%2Fb")
        #expect(S3Percent.decode("a%20b+c%2B", plusIsSpace: true) == "a b c+")
        #expect(S3Percent.decode("a%2", plusIsSpace: false) == nil)
        #expect(S3Percent.decode("%FF") == nil)
    }

    @Test func base64() {
        #expect(S3Bytes.base64(Array("".utf8)) == "")
        #expect(S3Bytes.base64(Array("f".utf8)) == "Zg==")
        #expect(S3Bytes.base64(Array("fo".utf8)) == "Zm8=")
        #expect(S3Bytes.base64(Array("foobar".utf8)) == "Zm9vYmFy")
    }
}
