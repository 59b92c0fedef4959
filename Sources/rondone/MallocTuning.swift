#if canImport(Glibc)
    import Glibc
#endif

/// glibc malloc settings for a server that handles buffers of a few hundred KiB to a
/// few MiB (request bodies, claimed measures, encoded splits, compaction chunks) on
/// several threads (docs/MEMORY.md).
///
/// * A fixed mmap threshold of 128 KiB: glibc's default raises the threshold to the
///   size of each large block freed (up to 32 MiB), after which such blocks come from
///   the arenas and stay in the process once freed. Fixed, they are mapped and
///   unmapped, so the resident set follows what is in use.
/// * At most 2 arenas: each thread that allocates otherwise gets an arena of its own
///   (up to 8 per core), each keeping its freed memory.
///
/// A setting the user gives through glibc's own environment variables
/// (`MALLOC_MMAP_THRESHOLD_`, `MALLOC_ARENA_MAX`) is left as given. `mallopt` is not
/// in Swift's Glibc module (malloc.h is not part of it): it is looked up by name, and
/// nothing is changed on a C library without it.
enum MallocTuning {
    static let mmapThreshold: Int32 = 128 << 10
    static let arenaMax: Int32 = 2

    static func apply(environment: [String: String]) {
        #if canImport(Glibc)
            typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
            let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
            // The parameter numbers of glibc's malloc.h, part of its stable ABI.
            let mMmapThreshold: Int32 = -3
            let mArenaMax: Int32 = -8
            if environment["MALLOC_MMAP_THRESHOLD_"] == nil { _ = mallopt(mMmapThreshold, mmapThreshold) }
            if environment["MALLOC_ARENA_MAX"] == nil { _ = mallopt(mArenaMax, arenaMax) }
        #endif
    }
}
