import NIOCore
import RondoneStorage

/// The `payload` of a waiting batch: its time stamps (Int64 nanoseconds) then its
/// values (IEEE 754 doubles), each little-endian, 16 bytes a point.
///
/// Column after column, as the batch holds them, so on a little-endian machine each
/// column is one copy in and one copy out. The row's `points` column says how many
/// there are; a payload whose length does not match is refused, never read past.
enum IncomingPayload {
    static func encode(_ batch: IncomingBatch, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: batch.timestamps.count * 16)
        #if _endian(little)
            batch.timestamps.withUnsafeBytes { _ = buffer.writeBytes($0) }
            batch.values.withUnsafeBytes { _ = buffer.writeBytes($0) }
        #else
            for timestamp in batch.timestamps { buffer.writeInteger(timestamp, endianness: .little) }
            for value in batch.values { buffer.writeInteger(value.bitPattern, endianness: .little) }
        #endif
        return buffer
    }

    /// Appends the `points` points of `payload` to `batch`.
    static func decode(_ payload: ByteBuffer, points: Int, into batch: inout IncomingBatch) throws {
        guard points >= 0, payload.readableBytes == points * 16 else {
            throw StorageError.backend(
                "A waiting batch of \(points) points has a payload of \(payload.readableBytes) bytes "
                    + "(\(points * 16) expected)")
        }
        guard points > 0 else { return }
        payload.withUnsafeReadableBytes { raw in
            append(UnsafeRawBufferPointer(rebasing: raw[0..<points * 8]), to: &batch.timestamps)
            var bits: [UInt64] = []
            append(UnsafeRawBufferPointer(rebasing: raw[points * 8..<points * 16]), to: &bits)
            batch.values.append(contentsOf: bits.lazy.map(Double.init(bitPattern:)))
        }
    }

    /// Appends the little-endian 8-byte integers of `bytes` to `column`: one copy on a
    /// little-endian machine.
    private static func append<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, to column: inout [T]) {
        let count = bytes.count / MemoryLayout<T>.size
        let start = column.count
        column.append(contentsOf: repeatElement(0, count: count))
        column.withUnsafeMutableBytes { destination in
            let target = UnsafeMutableRawBufferPointer(
                rebasing: destination[start * MemoryLayout<T>.size..<(start + count) * MemoryLayout<T>.size])
            target.copyMemory(from: bytes)
        }
        #if !_endian(little)
            for index in start..<column.count { column[index] = T(littleEndian: column[index]) }
        #endif
    }
}
