import Testing

@testable import RondoneS3

/// `s3://` URLs and credentials from an environment dictionary (pure: no process environment).
@Suite struct S3URLTests {
    let environment = ["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET"]

    @Test func endpointGivenMeansPathStyle() throws {
        let url = try S3URL(
            parsing: "s3://rondone-aggregates?endpoint=http://127.0.0.1:9000&region=eu-west-3",
            environment: environment)
        #expect(url.bucket == "rondone-aggregates")
        #expect(url.endpoint == .init(scheme: "http", host: "127.0.0.1", port: 9000))
        #expect(url.region == "eu-west-3")
        #expect(url.pathStyle)
        #expect(url.hostHeader == "127.0.0.1:9000")
        #expect(url.encodedPath(key: "a b/c+d") == "/rondone-aggregates/a%20b/c%2Bd")
        #expect(url.encodedPath(key: nil) == "/rondone-aggregates")
        #expect(url.credentials == S3Credentials(accessKeyID: "AKID", secretAccessKey: "SECRET"))
    }

    @Test func awsWithoutEndpointIsVirtualHostStyle() throws {
        let url = try S3URL(parsing: "s3://my-bucket?region=ap-south-1", environment: environment)
        #expect(url.endpoint == .init(scheme: "https", host: "s3.ap-south-1.amazonaws.com", port: 443))
        #expect(!url.pathStyle)
        #expect(url.hostHeader == "my-bucket.s3.ap-south-1.amazonaws.com")
        #expect(url.encodedPath(key: "k") == "/k")
        #expect(url.encodedPath(key: nil) == "/")
    }

    @Test func defaultsAndOverrides() throws {
        let plain = try S3URL(parsing: "s3://bucket", environment: environment)
        #expect(plain.region == "us-east-1")
        let forced = try S3URL(
            parsing: "s3://bucket/?endpoint=https://minio.example:443/&path_style=false",
            environment: environment)
        #expect(!forced.pathStyle)
        #expect(forced.hostHeader == "bucket.minio.example")
        let encoded = try S3URL(
            parsing: "s3://bucket?endpoint=http%3A%2F%2F%5B%3A%3A1%5D%3A9000", environment: environment)
        #expect(encoded.endpoint == .init(scheme: "http", host: "::1", port: 9000))
        #expect(encoded.hostHeader == "[::1]:9000")
        let defaultPort = try S3URL(
            parsing: "s3://bucket?endpoint=http://localhost", environment: environment)
        #expect(defaultPort.endpoint.port == 80)
        #expect(defaultPort.hostHeader == "localhost")
    }

    @Test func sessionToken() throws {
        var withToken = environment
        withToken["AWS_SESSION_TOKEN"] = "TOKEN"
        let url = try S3URL(parsing: "s3://bucket", environment: withToken)
        #expect(url.credentials.sessionToken == "TOKEN")
        #expect(!"\(url.credentials)".contains("SECRET"))
        #expect(!"\(url.credentials)".contains("TOKEN"))
    }

    @Test(arguments: [
        ("http://bucket", "not an S3 URL"),
        ("s3://", "bucket name '' is empty"),
        ("s3://ab", "must be 3 to 63 characters"),
        ("s3://My_Bucket", "only lowercase letters"),
        ("s3://-bucket", "begin and end with a letter or a digit"),
        ("s3://bucket/prefix", "key prefixes are not supported"),
        ("s3://bucket?endpoint=127.0.0.1:9000", "must start with http:// or https://"),
        ("s3://bucket?endpoint=ftp://host", "must start with http:// or https://"),
        ("s3://bucket?endpoint=http://host:99999", "bad port '99999'"),
        ("s3://bucket?endpoint=http://host:9000/path", "must be only scheme://HOST[:PORT]"),
        ("s3://bucket?endpoint=http://", "has no host"),
        ("s3://bucket?region=US East", "is not a region name"),
        ("s3://bucket?path_style=maybe", "path_style must be true or false"),
        ("s3://bucket?regoin=us-east-1", "unknown parameter 'regoin'"),
        ("s3://bucket?region=%zz", "bad percent-encoding"),
        ("s3://my.bucket?region=us-east-1", "has dots"),
    ])
    func badURLsSayWhy(_ text: String, _ expected: String) {
        #expect {
            try S3URL(parsing: text, environment: environment)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func missingCredentialsAreNamed() {
        #expect {
            try S3URL(parsing: "s3://bucket", environment: ["AWS_ACCESS_KEY_ID": "AKID"])
        } throws: { error in
            "\(error)" == "S3 credentials are missing: set AWS_SECRET_ACCESS_KEY in the environment"
        }
        #expect {
            try S3URL(parsing: "s3://bucket", environment: [:])
        } throws: { error in
            "\(error)".contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        }
    }
}
