import Foundation
import domain_conf
import libvirt_abi
import qemu_monitor

/// The statistics of a migration job: what `domjobinfo` shows and what the
/// migration cookie's `<statistics>` element carries.
///
/// libvirt: `virDomainJobData` with `qemuMonitorMigrationStats`
/// (src/hypervisor/domain_job.h, src/qemu/qemu_monitor.h), and
/// `qemuMigrationCookieStatisticsXMLFormat` / `...Parse`.
public struct QemuMigrationStatistics: Sendable, Equatable {
    /// ms since the epoch when the job started, when QEMU stopped the
    /// source's CPUs, when the last cookie was sent.
    public var started: UInt64 = 0
    public var stopped: UInt64 = 0
    public var sent: UInt64 = 0
    public var timeElapsed: UInt64 = 0
    /// The guest's downtime: QEMU's figure while the migration runs on the
    /// source, then the time from the source's stop to the destination's
    /// resume (`updateDowntime`), as libvirt reports it.
    public var downtime: UInt64?
    /// QEMU's own `downtime` (the source's view, which ends when the last
    /// byte is sent); for benchmarks.
    public var qemuDowntime: UInt64?
    public var setupTime: UInt64?
    public var memoryTotal: UInt64 = 0
    public var memoryProcessed: UInt64 = 0
    public var memoryRemaining: UInt64 = 0
    public var memoryBps: UInt64 = 0
    /// Set together: constant (zero) pages, normal pages, normal bytes.
    public var memoryConstant: UInt64?
    public var memoryNormal: UInt64 = 0
    public var memoryNormalBytes: UInt64 = 0
    public var memoryDirtyRate: UInt64 = 0
    public var memoryIteration: UInt64 = 0
    public var memoryPostcopyRequests: UInt64 = 0
    public var memoryPageSize: UInt64 = 0
    public var diskTotal: UInt64 = 0
    public var diskProcessed: UInt64 = 0
    public var diskRemaining: UInt64 = 0
    public var diskBps: UInt64 = 0
    /// Set together when XBZRLE compression ran.
    public var compression: Compression?
    public var autoConvergeThrottle: Int32 = 0
    /// QEMU's own `total-time` of the transfer (libvirt keeps the job's wall
    /// time in `timeElapsed`; this one is for benchmarks).
    public var qemuTotalTime: UInt64?
    /// How the guest moved (`migration_mode`): the series' own field, set
    /// for every local migration.
    public var mode: QemuMigrationMode?

    public struct Compression: Sendable, Equatable {
        public var cache: UInt64 = 0, bytes: UInt64 = 0, pages: UInt64 = 0, cacheMisses: UInt64 = 0, overflow: UInt64 = 0
    }

    public init() {}

    /// Fills in what QEMU's `query-migrate` reports.
    ///
    /// libvirt: `qemuMigrationAnyFetchStats` / `qemuDomainJobDataUpdateTime`.
    public mutating func update(from s: MigrationStats) {
        if let t = s.totalTime {
            timeElapsed = t
            qemuTotalTime = t
        }
        if let d = s.downtime {
            downtime = d
            qemuDowntime = d
        }
        if let st = s.setupTime { setupTime = st }
        if let ram = s.ram {
            memoryTotal = ram.total
            memoryProcessed = ram.transferred
            memoryRemaining = ram.remaining
            memoryBps = ram.bytesPerSecond ?? 0
            if let dup = ram.duplicate {
                memoryConstant = dup
                memoryNormal = ram.normal ?? 0
                memoryNormalBytes = ram.normalBytes ?? 0
            }
            memoryDirtyRate = ram.dirtyPagesRate ?? 0
            memoryIteration = ram.dirtySyncCount ?? 0
            memoryPostcopyRequests = ram.postcopyRequests ?? 0
            memoryPageSize = ram.pageSize ?? 0
        }
        if let c = s.cpuThrottlePercentage { autoConvergeThrottle = Int32(clamping: c) }
    }

    /// The downtime once the destination runs: `now` minus when the source
    /// stopped (nothing when the stop time is unknown or in the future).
    ///
    /// libvirt: `qemuDomainJobDataUpdateDowntime`.
    public mutating func updateDowntime(now: UInt64) {
        guard stopped > 0, now >= stopped else { return }
        downtime = now - stopped
    }

    /// Data totals, as `virDomainGetJobStats` adds them up (memory + disk).
    public var dataTotal: UInt64 { memoryTotal + diskTotal }
    public var dataProcessed: UInt64 { memoryProcessed + diskProcessed }
    public var dataRemaining: UInt64 { memoryRemaining + diskRemaining }

    /// The typed parameters of `virDomainGetJobStats`.
    ///
    /// libvirt: `qemuDomainMigrationJobDataToParams`.
    public func parameters(type: DomainJobType, operation: DomainJobOperation) -> [TypedParameter] {
        var p: [TypedParameter] = [
            TypedParameter("operation", .int(operation.rawValue)),
            TypedParameter("time_elapsed", .ullong(timeElapsed)),
        ]
        if type == .completed, let downtime { p.append(TypedParameter("downtime", .ullong(downtime))) }
        if type == .completed, let setupTime { p.append(TypedParameter("setup_time", .ullong(setupTime))) }
        p += [
            TypedParameter("data_total", .ullong(dataTotal)),
            TypedParameter("data_processed", .ullong(dataProcessed)),
            TypedParameter("data_remaining", .ullong(dataRemaining)),
            TypedParameter("memory_total", .ullong(memoryTotal)),
            TypedParameter("memory_processed", .ullong(memoryProcessed)),
            TypedParameter("memory_remaining", .ullong(memoryRemaining)),
        ]
        if let memoryConstant {
            p += [
                TypedParameter("memory_constant", .ullong(memoryConstant)),
                TypedParameter("memory_normal", .ullong(memoryNormal)),
                TypedParameter("memory_normal_bytes", .ullong(memoryNormalBytes)),
            ]
        }
        p += [
            TypedParameter("memory_bps", .ullong(memoryBps)),
            TypedParameter("memory_dirty_rate", .ullong(memoryDirtyRate)),
            TypedParameter("memory_page_size", .ullong(memoryPageSize)),
            TypedParameter("memory_iteration", .ullong(memoryIteration)),
            TypedParameter("memory_postcopy_requests", .ullong(memoryPostcopyRequests)),
            TypedParameter("disk_total", .ullong(diskTotal)),
            TypedParameter("disk_processed", .ullong(diskProcessed)),
            TypedParameter("disk_remaining", .ullong(diskRemaining)),
            TypedParameter("disk_bps", .ullong(diskBps)),
        ]
        if let c = compression {
            p += [
                TypedParameter("compression_cache", .ullong(c.cache)),
                TypedParameter("compression_bytes", .ullong(c.bytes)),
                TypedParameter("compression_pages", .ullong(c.pages)),
                TypedParameter("compression_cache_misses", .ullong(c.cacheMisses)),
                TypedParameter("compression_overflow", .ullong(c.overflow)),
            ]
        }
        if autoConvergeThrottle != 0 {
            p.append(TypedParameter("auto_converge_throttle", .int(autoConvergeThrottle)))
        }
        if let mode { p.append(TypedParameter(Self.modeParameter, .string(mode.rawValue))) }
        return p
    }

    // MARK: the cookie's <statistics>

    package var element: XMLElement {
        var e = XMLElement("statistics")
        func add(_ name: String, _ value: String) { e.children.append(.element(XMLElement(name, text: value))) }
        add("started", String(started))
        add("stopped", String(stopped))
        add("sent", String(sent))
        add("time_elapsed", String(timeElapsed))
        if let downtime { add("downtime", String(downtime)) }
        if let setupTime { add("setup_time", String(setupTime)) }
        add("memory_total", String(memoryTotal))
        add("memory_processed", String(memoryProcessed))
        add("memory_remaining", String(memoryRemaining))
        add("memory_bps", String(memoryBps))
        if let memoryConstant {
            add("memory_constant", String(memoryConstant))
            add("memory_normal", String(memoryNormal))
            add("memory_normal_bytes", String(memoryNormalBytes))
        }
        add("memory_dirty_rate", String(memoryDirtyRate))
        add("memory_iteration", String(memoryIteration))
        add("memory_postcopy_requests", String(memoryPostcopyRequests))
        add("memory_page_size", String(memoryPageSize))
        add("disk_total", String(diskTotal))
        add("disk_processed", String(diskProcessed))
        add("disk_remaining", String(diskRemaining))
        add("disk_bps", String(diskBps))
        if let c = compression {
            add("compression_cache", String(c.cache))
            add("compression_bytes", String(c.bytes))
            add("compression_pages", String(c.pages))
            add("compression_cache_misses", String(c.cacheMisses))
            add("compression_overflow", String(c.overflow))
        }
        add("auto_converge_throttle", String(autoConvergeThrottle))
        if let mode { add(Self.modeParameter, mode.rawValue) }
        return e
    }

    package init(element e: XMLElement) {
        func u(_ name: String) -> UInt64? { e.childText(name).flatMap { UInt64($0.trimmingCharacters(in: .whitespaces)) } }
        started = u("started") ?? 0
        stopped = u("stopped") ?? 0
        sent = u("sent") ?? 0
        timeElapsed = u("time_elapsed") ?? 0
        downtime = u("downtime")
        setupTime = u("setup_time")
        memoryTotal = u("memory_total") ?? 0
        memoryProcessed = u("memory_processed") ?? 0
        memoryRemaining = u("memory_remaining") ?? 0
        memoryBps = u("memory_bps") ?? 0
        memoryConstant = u("memory_constant")
        memoryNormal = u("memory_normal") ?? 0
        memoryNormalBytes = u("memory_normal_bytes") ?? 0
        memoryDirtyRate = u("memory_dirty_rate") ?? 0
        memoryIteration = u("memory_iteration") ?? 0
        memoryPostcopyRequests = u("memory_postcopy_requests") ?? 0
        memoryPageSize = u("memory_page_size") ?? 0
        diskTotal = u("disk_total") ?? 0
        diskProcessed = u("disk_processed") ?? 0
        diskRemaining = u("disk_remaining") ?? 0
        diskBps = u("disk_bps") ?? 0
        if let cache = u("compression_cache") {
            compression = Compression(cache: cache, bytes: u("compression_bytes") ?? 0, pages: u("compression_pages") ?? 0,
                                      cacheMisses: u("compression_cache_misses") ?? 0, overflow: u("compression_overflow") ?? 0)
        }
        autoConvergeThrottle = e.childText("auto_converge_throttle").flatMap { Int32($0.trimmingCharacters(in: .whitespaces)) } ?? 0
        mode = e.childText(Self.modeParameter).flatMap { QemuMigrationMode(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
    }

    /// The job statistics' field (and the cookie's element) that says how
    /// the guest moved.
    public static let modeParameter = "migration_mode"
}
