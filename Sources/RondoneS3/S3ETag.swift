import Crypto

/// An object's ETag as a checksum of its bytes.
///
/// S3 gives an object put in one request (no multipart upload, no SSE-KMS) the MD5 of
/// its bytes, in hex between quotes, as its ETag; `rondone fsck` compares it with the
/// bytes it reads back. Other ETags (`…-N` of a multipart upload, encrypted objects)
/// are no MD5 and say nothing.
public enum S3ETag {
    /// Whether `bytes` have the MD5 `eTag` names: nil when the ETag is not an MD5.
    public static func matches(_ eTag: String?, bytes: [UInt8]) -> Bool? {
        guard let eTag else { return nil }
        var text = Substring(eTag)
        if text.hasPrefix("\"") { text = text.dropFirst() }
        if text.hasSuffix("\"") { text = text.dropLast() }
        guard text.utf8.count == 32, text.utf8.allSatisfy({ S3Percent.hexValue($0) != nil }) else {
            return nil
        }
        return S3Bytes.hex(Insecure.MD5.hash(data: bytes)) == text.lowercased()
    }
}
