public import RondoneStorage

/// Hands out sacks to metricd workers so that each sack has one holder at a time, and
/// proves it with a lease (``SackLease``) that every commit of processing carries.
///
/// Gnocchi partitions sacks among the workers of the whole deployment through tooz and
/// locks a sack while processing it. Here a coordinator gives each worker its share of
/// the sacks, each under a lease; a store shared between processes refuses a commit
/// whose lease is no longer current, so two holders never both write. In one process
/// (``InProcessCoordinator``) the partition is fixed and the incoming store's
/// one-claim-per-sack rule backs it up; a PostgreSQL coordinator spreads the sacks over
/// the live members of the deployment, with heartbeats and expiring leases.
public protocol Coordinator: Sendable {
    /// Joins the deployment with `workers` workers in this process (metricd's start):
    /// from then on this process counts among the members sacks are spread over.
    /// `wake` is called when the workers should look at their sacks now (the sacks
    /// moved, or a refresh elsewhere waits for one of them).
    func join(workers: Int, wake: @escaping @Sendable () -> Void) async throws

    /// Leaves it (metricd's stop): the sacks of this process go to the other members
    /// now, not after their leases expire.
    func leave() async

    /// The sacks worker `worker` (in `0..<workers`) of this process holds now, out of
    /// `sackCount`, each under a live lease. Over all members of a deployment every
    /// sack is held by at most one worker at a time.
    func sacks(for worker: Int, of workers: Int, sackCount: Int) async throws -> [SackLease]

    /// A lease on `sack` to process some of its measures now (`?refresh=true`), or nil
    /// when another member holds the sack; that member is then asked to look at it
    /// at once. Give it back with ``release(_:)``.
    func lease(sack: Int) async throws -> SackLease?

    /// Gives back a lease taken with ``lease(sack:)``.
    func release(_ lease: SackLease) async

    /// The names of the deployment's live metricd processes (`metricd.processors` in
    /// `/v1/status`), or nil when the coordinator cannot list them.
    func members() async throws -> [String]?
}

/// All workers live in this process: sack `s` belongs to worker `s % workers`, so
/// the partition is fixed, even and needs no communication. Its leases carry token 0:
/// the file stores it goes with have one owner process, which needs no fence.
public struct InProcessCoordinator: Coordinator {
    public init() {}

    public func join(workers: Int, wake: @escaping @Sendable () -> Void) {}

    public func leave() {}

    public func sacks(for worker: Int, of workers: Int, sackCount: Int) -> [SackLease] {
        guard workers > 0, (0..<workers).contains(worker) else { return [] }
        return stride(from: worker, to: sackCount, by: workers).map { SackLease(sack: $0, token: 0) }
    }

    /// Always granted: inside one process, the incoming store's claim on the sack is
    /// what keeps a refresh and a worker apart.
    public func lease(sack: Int) -> SackLease? { SackLease(sack: sack, token: 0) }

    public func release(_ lease: SackLease) {}

    /// Unknown, as on a Gnocchi whose coordination backend cannot list its members.
    public func members() -> [String]? { nil }
}
