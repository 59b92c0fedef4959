/// The right to process one sack, as a coordinator grants it, carried by every write
/// that processing makes.
///
/// A store shared between processes (PostgreSQL + S3) refuses a commit whose lease is
/// no longer the sack's current one, so a worker that paused past its lease (or lost
/// its network) can leave orphans behind but never overwrite what the sack's new
/// holder wrote. A store with one owner process (the embedded default's files) needs
/// no fence and ignores it.
public struct SackLease: Hashable, Sendable, CustomStringConvertible {
    /// The sack.
    public var sack: Int
    /// The fencing token: strictly greater for every new holder of the sack (0 from
    /// the in-process coordinator, whose stores have one owner process).
    public var token: Int64

    public init(sack: Int, token: Int64) {
        self.sack = sack
        self.token = token
    }

    public var description: String { "sack \(sack) (lease \(token))" }
}
