@testable import RondoneTimeSeries

/// The function libFuzzer calls with each input (`LLVMFuzzerTestOneInput`'s signature).
public typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: FuzzCallback
) -> CInt

/// Runs libFuzzer's driver (its command line, `-max_total_time=…` and so on) on `callback`.
///
/// A debug build of a SwiftPM executable on Linux links `main` to `<module>_main`, a
/// symbol the compiler does not emit for a target without top-level code; each fuzz target
/// defines that symbol (`@_cdecl`) and calls this, which does what libFuzzer's own `main`
/// does. (A release build links libFuzzer's `main`, which calls the same driver.)
public func runLibFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ callback: FuzzCallback
) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, callback)
}

/// One fuzz input as an array (libFuzzer's buffer is only valid during the call).
public func input(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

/// Recomputes the CRC-32C checksums the on-disk formats carry, so that the fuzzer's
/// mutations reach the code behind the checksum check as well as the check itself.
/// Each target runs its parser on the input as given and on the fixed-up copy.
public enum ChecksumFixup {
    /// A split codec record: the last 4 bytes are the CRC-32C (LE) of everything before.
    public static func trailer(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count >= 4 else { return bytes }
        var fixed = bytes
        let body = fixed.count - 4
        let crc = fixed.withUnsafeBytes { CRC32C.update(0, UnsafeRawBufferPointer(rebasing: $0[0..<body])) }
        store32(crc, at: body, in: &fixed)
        return fixed
    }

    /// Log records of the incoming and aggregate logs: `u32 payload length | u32 CRC-32C of
    /// the length and the payload | payload`, 8-byte aligned. Walks the records the lengths
    /// describe (stepping 8 bytes where a length cannot be one) and fixes each checksum.
    public static func logRecords(_ bytes: [UInt8], headerSize: Int) -> [UInt8] {
        var fixed = bytes
        var offset = 0
        while fixed.count - offset >= headerSize {
            let payload = Int(load32(fixed, at: offset))
            guard payload >= headerSize - 8, payload % 8 == 0, 8 + payload <= fixed.count - offset else {
                offset += 8
                continue
            }
            let crc = fixed.withUnsafeBytes { raw in
                CRC32C.update(
                    CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + 4])),
                    UnsafeRawBufferPointer(rebasing: raw[offset + 8..<offset + 8 + payload]))
            }
            store32(crc, at: offset + 4, in: &fixed)
            offset += 8 + payload
        }
        return fixed
    }

    /// A split pack's header: version 2 (`RSP2`) keeps the CRC-32C of bytes 8..<H at 4, and
    /// version 1 (`RSP1`) that of bytes 0..<8 and 12..<H at 8, where H is the header's end.
    /// H is found by trying every end (packs in a fuzz input are small).
    public static func packHeaders(_ bytes: [UInt8], limit: Int = 64) -> [[UInt8]] {
        guard bytes.count > 8 else { return [] }
        let magic = String(decoding: bytes[0..<4], as: UTF8.self)
        var candidates: [[UInt8]] = []
        if magic == "RSP2" {
            for end in 9...min(bytes.count, 8 + limit) {
                var fixed = bytes
                let crc = fixed.withUnsafeBytes {
                    CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[8..<end]))
                }
                store32(crc, at: 4, in: &fixed)
                candidates.append(fixed)
            }
        } else if magic == "RSP1", bytes.count >= 14 {
            let end = Int(load32(bytes, at: 4))
            guard end >= 14, end <= bytes.count else { return [] }
            var fixed = bytes
            let crc = fixed.withUnsafeBytes { raw in
                CRC32C.update(
                    CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<8])),
                    UnsafeRawBufferPointer(rebasing: raw[12..<end]))
            }
            store32(crc, at: 8, in: &fixed)
            candidates.append(fixed)
        }
        return candidates
    }

    static func load32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
    }

    static func store32(_ value: UInt32, at offset: Int, in bytes: inout [UInt8]) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
    }
}

/// A fixed "now" for the parsers that read relative times, so a crash reproduces.
public let fuzzNow = Timestamp(nanoseconds: 1_700_000_000_123_456_789)
