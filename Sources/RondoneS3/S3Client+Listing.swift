extension S3Client {
    /// One page of a ListObjectsV2 listing.
    public struct ObjectList: Sendable, Equatable {
        /// An object in the listing.
        public struct Object: Sendable, Equatable {
            public var key: String
            public var size: Int64
            public var eTag: String?
            /// As S3 sends it (`2026-01-02T03:04:05.000Z`).
            public var lastModified: String?
        }

        /// In key order (UTF-8 byte order).
        public var objects: [Object]
        /// With a delimiter: the distinct key prefixes up to the delimiter ("directories").
        public var commonPrefixes: [String]
        /// Pass it to the next `listObjects` call; nil on the last page.
        public var nextContinuationToken: String?
    }

    /// One page of the keys that start with `prefix` (ListObjectsV2). S3 returns at most
    /// 1000 keys a page, fewer with `maxKeys`; follow `nextContinuationToken` for the rest.
    /// Keys are asked for URL-encoded (`encoding-type=url`), so that any key — even one
    /// XML cannot carry — comes back intact.
    public func listObjects(
        prefix: String = "", delimiter: String? = nil, continuationToken: String? = nil, maxKeys: Int? = nil
    ) async throws -> ObjectList {
        var request = S3Request(operation: "ListObjectsV2", method: .GET, key: nil)
        request.query = [("list-type", "2"), ("encoding-type", "url")]
        if !prefix.isEmpty { request.query.append(("prefix", prefix)) }
        if let delimiter { request.query.append(("delimiter", delimiter)) }
        if let continuationToken { request.query.append(("continuation-token", continuationToken)) }
        if let maxKeys { request.query.append(("max-keys", String(max(0, maxKeys)))) }
        let response = try await send(request)
        do {
            return try Self.parseObjectList(response.body)
        } catch let failure {
            throw error(request, .malformedResponse(failure.reason), attempts: response.attempts)
        }
    }

    /// Every object whose key starts with `prefix`, all pages followed.
    public func listAllObjects(prefix: String = "") async throws -> [ObjectList.Object] {
        var objects: [ObjectList.Object] = []
        var token: String?
        repeat {
            let page = try await listObjects(prefix: prefix, continuationToken: token)
            objects += page.objects
            token = page.nextContinuationToken
        } while token != nil
        return objects
    }

    struct ListingError: Error {
        var reason: String
    }

    static func parseObjectList(_ body: [UInt8]) throws(ListingError) -> ObjectList {
        let document: S3XMLElement
        do {
            document = try S3XML.parse(body)
        } catch {
            throw ListingError(reason: "\(error)")
        }
        guard document.name == "ListBucketResult" else {
            throw ListingError(reason: "expected <ListBucketResult>, got <\(document.name)>")
        }
        let encoded = document["EncodingType"] == "url"
        func decoded(_ text: String, _ what: String) throws(ListingError) -> String {
            guard encoded else { return text }
            guard let plain = S3Percent.decode(text, plusIsSpace: true) else {
                throw ListingError(reason: "\(what) '\(text)' is not URL-encoded UTF-8")
            }
            return plain
        }
        var objects: [ObjectList.Object] = []
        for content in document.children("Contents") {
            guard let key = content["Key"] else { throw ListingError(reason: "an object without <Key>") }
            guard let size = content["Size"].flatMap({ Int64($0) }) else {
                throw ListingError(reason: "object '\(key)' has no valid <Size>")
            }
            objects.append(
                ObjectList.Object(
                    key: try decoded(key, "key"), size: size, eTag: content["ETag"],
                    lastModified: content["LastModified"]))
        }
        var prefixes: [String] = []
        for common in document.children("CommonPrefixes") {
            guard let prefix = common["Prefix"] else {
                throw ListingError(reason: "<CommonPrefixes> without <Prefix>")
            }
            prefixes.append(try decoded(prefix, "prefix"))
        }
        var token: String?
        switch document["IsTruncated"] {
        case "true":
            guard let next = document["NextContinuationToken"], !next.isEmpty else {
                throw ListingError(reason: "a truncated listing without <NextContinuationToken>")
            }
            token = next
        case "false", nil:
            token = nil
        case let other?:
            throw ListingError(reason: "<IsTruncated> is '\(other)'")
        }
        return ObjectList(objects: objects, commonPrefixes: prefixes, nextContinuationToken: token)
    }
}
