import domain_conf
import libvirt_abi
import qemu_monitor
import virdomainobjlist
import Glibc
import virutil

/// One domain's statistics (`virDomainStatsRecord`): the domain and its
/// typed parameters, named as libvirt names them (`state.state`, ...).
public struct DomainStatsRecord: Sendable, Hashable {
    public let dom: DomainRef
    public let params: [TypedParameter]

    public init(dom: DomainRef, params: [TypedParameter]) {
        self.dom = dom
        self.params = params
    }
}

/// Statistics of many domains in one call: what `virsh domstats` and a
/// monitoring agent ask for, and what lets `virsh list` learn every state
/// without one round trip per domain.
extension QemuConnection {
    /// The groups this driver gathers. The others are left out of the
    /// records, or refused with `VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS`,
    /// as libvirt does with groups a QEMU cannot provide.
    public static let supportedStats: DomainStatsTypes = [.state, .cpuTotal, .balloon, .vcpu, .interface, .block]

    /// The statistics of every domain that matches the list filters in
    /// `flags`, or of the domains in `doms` that still exist and match
    /// them (`virDomainListGetStats`); `stats` empty asks for every group
    /// this driver supports.
    ///
    /// libvirt: `qemuConnectGetAllDomainStats`.
    public func allDomainStats(_ doms: [DomainRef]? = nil, stats: DomainStatsTypes, flags: UInt32) async throws(VirError) -> [DomainStatsRecord] {
        let filters = GetAllDomainStatsFlags.listFilters.rawValue
        let allowed = filters | GetAllDomainStatsFlags.nowait.rawValue | GetAllDomainStatsFlags.backing.rawValue
            | GetAllDomainStatsFlags.enforceStats.rawValue
        try Self.checkFlags(flags, allowed: allowed, "qemuConnectGetAllDomainStats")
        var requested = stats.isEmpty ? Self.supportedStats : stats
        let unsupported = requested.subtracting(Self.supportedStats)
        if !unsupported.isEmpty {
            if GetAllDomainStatsFlags(rawValue: flags).contains(.enforceStats) {
                throw VirError(.argumentUnsupported,
                               "Stats types bits 0x\(String(unsupported.rawValue, radix: 16)) are not supported by this daemon or QEMU")
            }
            requested = requested.intersection(Self.supportedStats)
        }
        let filter = ListAllDomainsFlags(rawValue: flags & filters)
        let objs: [DomainObj]
        if let doms {
            // Those gone since the caller listed them are skipped.
            objs = doms.compactMap { domains.findByUUID($0.uuid) }.filter { filter.isEmpty || $0.matches(filter) }
        } else {
            objs = domains.list(filter)
        }
        let nowait = GetAllDomainStatsFlags(rawValue: flags).contains(.nowait)
        var records: [DomainStatsRecord] = []
        // The host's interface counters, read once, when a running domain needs them.
        var netDev: Result<[String: [Int64]], VirError>?
        for obj in objs {
            let (ref, state) = obj.withLock { f in (DomainRef(name: f.name, uuid: obj.uuid, id: f.id), f.state) }
            // The QEMU's counters, read once for the groups that need them.
            let proc = requested.isDisjoint(with: [.cpuTotal, .balloon]) || ref.id == nil
                ? nil : obj.qemu.instance.flatMap { ProcStat.read($0.pid) }
            // One query job for the groups that ask the monitor; without
            // it (busy with NOWAIT, or timed out) they give what they can
            // without it, as libvirt's HAVE_JOB.
            let monitor = requested.isDisjoint(with: [.cpuTotal, .vcpu, .block]) || ref.id == nil
                ? nil : await beginStatsJob(obj, nowait: nowait)
            var params: [TypedParameter] = []
            if requested.contains(.state) {
                params.append(TypedParameter("state.state", .int(state.state.rawValue)))
                params.append(TypedParameter("state.reason", .int(state.rawReason)))
            }
            if requested.contains(.cpuTotal) {
                params += await cpuStats(obj, proc, monitor: monitor)
            }
            if requested.contains(.balloon) {
                params += Self.balloonStats(obj.def, proc)
            }
            if requested.contains(.vcpu) {
                params += await vcpuStats(obj, monitor: monitor)
            }
            if requested.contains(.interface) && ref.id != nil {
                let host = netDev ?? Result { () throws(VirError) in try Self.tapCounters() }
                netDev = host
                params += interfaceGroupStats(obj, host: host)
            }
            if requested.contains(.block) {
                params += await blockGroupStats(obj, monitor: monitor)
            }
            if monitor != nil { obj.qemu.jobs.end() }
            records.append(DomainStatsRecord(dom: ref, params: params))
        }
        return records
    }

    /// A query job on a running domain and its monitor, or nil when the
    /// job is not to be had (at once with `nowait`, else within 30 s) or
    /// the monitor is gone. The caller ends the job it got.
    ///
    /// libvirt: `virDomainObjBeginJobNowait` with NOWAIT, else
    /// `virDomainObjBeginJob` (`qemuConnectGetAllDomainStats`).
    func beginStatsJob(_ obj: DomainObj, nowait: Bool) async -> QemuMonitor? {
        guard obj.isActive, let instance = obj.qemu.instance else { return nil }
        do {
            try await obj.qemu.jobs.begin(.query, api: "qemuConnectGetAllDomainStats", domainName: obj.name,
                                          timeout: nowait ? .zero : .seconds(30))
        } catch {
            return nil
        }
        do {
            return try await instance.monitor()
        } catch {
            obj.qemu.jobs.end()
            state.log.debug("no monitor for statistics: \(error)", metadata: ["domain": "\(obj.name)", "step": "domain stats"])
            return nil
        }
    }

    /// `cpu.time`, `cpu.user`, `cpu.system` (ns) of the QEMU process, as
    /// libvirt gives them for a domain without a cgroup (for a shut-off
    /// domain libvirt reads its own process, `/proc/self/stat`, and so does
    /// this driver); while it runs, `cpu.cache.monitor.count` (no cache
    /// monitors) and, from the monitor under the stats' query job, the
    /// vCPUs' halt-polling times (`cpu.haltpoll.*`, left out without it).
    ///
    /// libvirt: `qemuDomainGetStatsCpu` (`qemuDomainGetStatsCpuProc`,
    /// `qemuDomainGetStatsCpuCache`, `qemuDomainGetStatsCpuHaltPollTime`).
    func cpuStats(_ obj: DomainObj, _ proc: ProcStat?, monitor: QemuMonitor?) async -> [TypedParameter] {
        guard obj.isActive, obj.qemu.instance != nil else {
            return ProcStat.read(getpid()).map(Self.cpuTimes) ?? []
        }
        var params = proc.map(Self.cpuTimes) ?? []
        params.append(TypedParameter("cpu.cache.monitor.count", .uint(0)))
        guard let monitor else { return params }
        do {
            if let (success, fail) = try await monitor.queryHaltPollTime() {
                params.append(TypedParameter("cpu.haltpoll.success.time", .ullong(success)))
                params.append(TypedParameter("cpu.haltpoll.fail.time", .ullong(fail)))
            }
        } catch {
            state.log.debug("no halt-polling times: \(error)", metadata: ["domain": "\(obj.name)", "step": "domain stats"])
        }
        return params
    }

    static func cpuTimes(_ proc: ProcStat) -> [TypedParameter] {
        [TypedParameter("cpu.time", .ullong(proc.cpuTimeNanoseconds)), TypedParameter("cpu.user", .ullong(proc.userNanoseconds)),
         TypedParameter("cpu.system", .ullong(proc.systemNanoseconds))]
    }

    /// `balloon.current` (the balloon's target, or all of the memory
    /// without a balloon) and `balloon.maximum` in KiB; while the domain
    /// runs, the QEMU's resident set size as `balloon.rss`. The guest's own
    /// statistics (`balloon.swap_in`, ..., from a virtio balloon with a
    /// `<stats period>`) are not gathered.
    ///
    /// libvirt: `qemuDomainGetStatsBalloon`.
    static func balloonStats(_ def: DomainDef, _ proc: ProcStat?) -> [TypedParameter] {
        let hasBalloon = def.memballoon.map { $0.model != "none" } ?? false
        var params = [TypedParameter("balloon.current", .ullong(hasBalloon ? def.currentMemory : def.memory)),
                      TypedParameter("balloon.maximum", .ullong(def.memory))]
        if let proc { params.append(TypedParameter("balloon.rss", .ullong(proc.residentKiB))) }
        return params
    }
}
