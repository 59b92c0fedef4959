/// Why an ingest payload (a compressed body, a protobuf message, a line of a text
/// protocol) was refused. Always the sender's fault: the API answers it with a 400 and
/// stores nothing of the payload; decoders throw it and never trap on any input.
public struct IngestError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A sentence for the client, as the 400's description.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
