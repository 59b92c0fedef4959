#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A metricd process's name among the members (`metricd.processors` in `/v1/status`):
/// `HOST:PID:SUFFIX`. Host and pid say where to look; the random suffix keeps a
/// restarted process with a recycled pid (a container's pid 1) from taking the name,
/// and with it the leases, of its predecessor.
enum MemberName {
    static func make() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let host =
            gethostname(&buffer, buffer.count - 1) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            : "unknown"
        let hex = String(UInt16.random(in: 0...UInt16.max), radix: 16)
        let suffix = String(repeating: "0", count: 4 - hex.count) + hex
        return "\(host.isEmpty ? "unknown" : host):\(getpid()):\(suffix)"
    }
}
