/// The `ram` member of a `query-migrate` reply (QEMU's `MigrationStats`):
/// bytes and pages of guest RAM moved so far. Members QEMU 7.2 may omit are
/// optional.
///
/// libvirt: the `ram_*` fields of `qemuMonitorMigrationStats`.
public struct MigrationRAMStats: Sendable, Hashable {
    /// Bytes transferred so far.
    public var transferred: UInt64
    /// Bytes still to transfer.
    public var remaining: UInt64
    /// Total guest RAM in bytes.
    public var total: UInt64
    /// Pages that were all zeroes (QEMU's `duplicate`).
    public var duplicate: UInt64?
    /// Pages sent in full.
    public var normal: UInt64?
    public var normalBytes: UInt64?
    /// Pages dirtied per second.
    public var dirtyPagesRate: UInt64?
    /// Throughput in Mbit/s (10^6 bits).
    public var mbps: Double?
    /// How many times the dirty bitmap was synced (libvirt's `ram_iteration`).
    public var dirtySyncCount: UInt64?
    public var pageSize: UInt64?
    public var pagesPerSecond: UInt64?
    public var precopyBytes: UInt64?
    public var downtimeBytes: UInt64?
    public var postcopyBytes: UInt64?
    public var postcopyRequests: UInt64?
    public var multifdBytes: UInt64?

    public init(transferred: UInt64, remaining: UInt64, total: UInt64) {
        self.transferred = transferred
        self.remaining = remaining
        self.total = total
    }

    /// Throughput in bytes per second, as libvirt computes it from `mbps`
    /// (`mbps * 1000 * 1000 / 8`); `nil` when QEMU gave no positive rate.
    public var bytesPerSecond: UInt64? {
        guard let mbps, mbps > 0 else { return nil }
        return UInt64(exactly: (mbps * (1000 * 1000 / 8)).rounded(.down))
    }

    /// Reads the `ram` object; throws libvirt's messages for the three members
    /// it requires.
    init(qmp ram: JSONValue) throws(QemuMonitorError) {
        func required(_ key: String) throws(QemuMonitorError) -> UInt64 {
            guard let value = ram[key]?.uint64Value else {
                throw QemuMonitorError(.internalError, "migration was active, but RAM '\(key)' data was missing")
            }
            return value
        }
        self.init(transferred: try required("transferred"), remaining: try required("remaining"),
                  total: try required("total"))
        duplicate = ram["duplicate"]?.uint64Value
        normal = ram["normal"]?.uint64Value
        normalBytes = ram["normal-bytes"]?.uint64Value
        dirtyPagesRate = ram["dirty-pages-rate"]?.uint64Value
        mbps = ram["mbps"]?.doubleValue
        dirtySyncCount = ram["dirty-sync-count"]?.uint64Value
        pageSize = ram["page-size"]?.uint64Value
        pagesPerSecond = ram["pages-per-second"]?.uint64Value
        precopyBytes = ram["precopy-bytes"]?.uint64Value
        downtimeBytes = ram["downtime-bytes"]?.uint64Value
        postcopyBytes = ram["postcopy-bytes"]?.uint64Value
        postcopyRequests = ram["postcopy-requests"]?.uint64Value
        multifdBytes = ram["multifd-bytes"]?.uint64Value
    }
}
