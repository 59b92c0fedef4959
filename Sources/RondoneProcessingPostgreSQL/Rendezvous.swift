/// Which worker of which member owns each sack: rendezvous (highest random weight)
/// hashing over every (member, worker) slot of the live members.
///
/// Each sack goes to the slot with the highest score `hash(sack, member, worker)`, so
/// every member computes the same owners from the same member list with no exchange,
/// and a member joining or leaving moves only the sacks it wins or held (about
/// `sacks / slots` of them), never reshuffles the others. The hash is FNV-1a of the
/// member's name mixed with SplitMix64's finaliser: stable across processes and
/// releases, unlike Swift's per-process seeded `Hasher`.
struct Rendezvous: Sendable {
    /// A live member as the coordination table lists it.
    struct Member: Equatable, Sendable {
        var name: String
        var workers: Int
    }

    /// A worker of a member: the member's index in `members`, and the worker.
    struct Slot: Equatable, Sendable {
        var member: Int
        var worker: Int
    }

    let members: [Member]
    /// Per sack, its owner (nil when there is no live member).
    let owners: [Slot?]

    init(members: [Member], sackCount: Int) {
        self.members = members
        let hashes = members.map { Self.fnv1a($0.name) }
        owners = (0..<max(0, sackCount)).map { sack in
            var best: (score: UInt64, slot: Slot)?
            for (index, member) in members.enumerated() {
                for worker in 0..<max(0, member.workers) {
                    let score = Self.score(sack: sack, member: hashes[index], worker: worker)
                    if best == nil || score > best!.score {
                        best = (score, Slot(member: index, worker: worker))
                    }
                }
            }
            return best?.slot
        }
    }

    /// The sacks worker `worker` of the member named `name` owns.
    func sacks(of name: String, worker: Int) -> [Int] {
        guard let member = members.firstIndex(where: { $0.name == name }) else { return [] }
        let slot = Slot(member: member, worker: worker)
        return owners.indices.filter { owners[$0] == slot }
    }

    /// The name of the member owning `sack`, if any.
    func owner(of sack: Int) -> String? {
        guard owners.indices.contains(sack), let slot = owners[sack] else { return nil }
        return members[slot.member].name
    }

    static func score(sack: Int, member: UInt64, worker: Int) -> UInt64 {
        mix(
            member
                ^ mix(
                    UInt64(truncatingIfNeeded: sack) &* 0x9E37_79B9_7F4A_7C15
                        &+ UInt64(truncatingIfNeeded: worker)))
    }

    /// FNV-1a, 64 bits, of the UTF-8 bytes.
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// SplitMix64's finaliser: every input bit affects every output bit.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
