import Prometheus
import RondoneStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How the API answers a storage failure that is not the request's fault (Rondone's,
/// Gnocchi has no such answers: it returns 500 for both).
///
/// * A full disk (ENOSPC or EDQUOT from the data directory's files, SQLITE_FULL from the
///   index, PostgreSQL's `disk_full`) is **507 Insufficient Storage** saying which disk
///   is full: nothing of the request was stored, reads keep working, and the same
///   request succeeds once space is freed (no restart).
/// * A file that cannot be read (EIO and other failed reads) is a 500 naming the file,
///   never data made up from what could be read.
public enum StorageFailure {
    /// Where the disk is full when `error` is a full-disk error of the stores, else nil.
    public static func diskFullLocation(of error: any Error) -> String? {
        if case StorageError.diskFull(let path) = error { return path }
        return nil
    }

    /// The 507 answer for a full disk at `location` (a path or a backend's name).
    public static func insufficientStorage(location: String) -> APIError {
        APIError(
            .init(code: 507, reasonPhrase: "Insufficient Storage"),
            "The disk is full: no space left on device for \(location). Nothing of this request was stored; "
                + "free space and retry (the server recovers by itself).")
    }

    /// The 500 answer for a stored file that could not be read, or nil for other errors.
    public static func unreadable(_ error: any Error) -> APIError? {
        guard case StorageError.io(let operation, let path, let code) = error,
            operation == "read" || operation == "fstat"
        else { return nil }
        return APIError(
            .internalServerError,
            "Unable to read \(path): \(String(cString: strerror(code))) (errno \(code)). No data was served from it."
        )
    }
}

/// Counts the requests refused because a disk was full, for `/metrics`
/// (`rondone_disk_full_refusals_total`).
struct DiskFullCounter: Sendable {
    private let counter: Counter

    init(registry: PrometheusCollectorRegistry) {
        counter = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "rondone", metricName: "disk_full_refusals", unitName: "total",
                helpText: "Requests answered 507 Insufficient Storage because a disk was full."))
    }

    func increment() { counter.increment() }
}
