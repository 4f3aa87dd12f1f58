import CGlibc
import Glibc
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_monitor
import virdomainobjlist
import virutil

/// One vCPU of a running domain, as `virDomainGetVcpus` reports it.
public struct DomainVcpuInfo: Sendable, Equatable {
    public let number: UInt32
    /// `virVcpuState` (1: running).
    public let state: Int32
    /// Nanoseconds of the vCPU thread.
    public let cpuTime: UInt64
    /// The host CPU it last ran on.
    public let cpu: Int32
    /// Host CPUs it may run on, one flag each.
    public let affinity: [Bool]
}

/// vCPUs: their threads in the running QEMU, the host CPUs they may use.
extension QemuConnection {
    /// libvirt: `qemuDomainGetVcpus` → `qemuDomainHelperGetVcpus` over the
    /// vCPU threads `query-cpus-fast` names (`virProcessGetStatInfo`,
    /// `virProcessGetAffinity`).
    public func vcpus(_ dom: DomainRef) async throws(VirError) -> [DomainVcpuInfo] {
        let obj = try obj(dom)
        return try await withJob(obj, .query, api: "qemuDomainGetVcpus") { () throws(VirError) -> [DomainVcpuInfo] in
            guard obj.isActive, let instance = obj.qemu.instance else {
                throw VirError(.operationInvalid, "cannot retrieve vcpu information for inactive domain")
            }
            let threads: [(number: UInt32, tid: pid_t)]
            do throws(QemuMonitorError) { threads = try await Self.vcpuThreads(instance.monitor()) } catch {
                throw VirError(error)
            }
            let hostCPUs = Self.hostCPUCount
            return threads.map { vcpu in
                let stat = ProcStat.read(instance.pid, thread: vcpu.tid)
                return DomainVcpuInfo(number: vcpu.number, state: 1, cpuTime: stat?.cpuTimeNanoseconds ?? 0,
                                      cpu: stat?.processor ?? -1, affinity: Self.affinity(of: vcpu.tid, hostCPUs: hostCPUs))
            }
        }
    }

    /// The running vCPUs and their threads, by number.
    ///
    /// libvirt: `qemuDomainRefreshVcpuInfo` (`query-cpus-fast`).
    static func vcpuThreads(_ monitor: QemuMonitor) async throws(QemuMonitorError) -> [(number: UInt32, tid: pid_t)] {
        let reply = try await monitor.execute("query-cpus-fast")
        return (reply.arrayValue ?? []).compactMap { entry -> (number: UInt32, tid: pid_t)? in
            guard let index = entry["cpu-index"]?.int64Value, let number = UInt32(exactly: index),
                  let tid = entry["thread-id"]?.int64Value, let thread = pid_t(exactly: tid) else { return nil }
            return (number, thread)
        }.sorted { $0.number < $1.number }
    }

    /// The `vcpu` group of `virConnectGetAllDomainStats`: `vcpu.current`,
    /// `vcpu.maximum`, and while the domain runs, per vCPU `vcpu.N.state`,
    /// `vcpu.N.time` (ns of its thread), `vcpu.N.wait` (the scheduler's
    /// wait sum, 0 without the kernel's schedstats) and `vcpu.N.delay`
    /// (`schedstat`'s run delay). The threads come from the monitor under
    /// the stats' job; without it only the counts are given. Halted state
    /// and QEMU's own vCPU statistics (`query-stats`, KVM's) are not
    /// provided under TCG, and so left out as libvirt leaves them out.
    ///
    /// libvirt: `qemuDomainGetStatsVcpu` (`qemuDomainHelperGetVcpus`,
    /// `virProcessGetSchedInfo`, `qemuGetSchedstatDelay`).
    func vcpuStats(_ obj: DomainObj, monitor: QemuMonitor?) async -> [TypedParameter] {
        let def = obj.def
        var params = [TypedParameter("vcpu.current", .uint(def.currentVcpus)), TypedParameter("vcpu.maximum", .uint(def.vcpus))]
        guard obj.isActive, let instance = obj.qemu.instance, let monitor else { return params }
        let threads: [(number: UInt32, tid: pid_t)]
        do throws(QemuMonitorError) { threads = try await Self.vcpuThreads(monitor) } catch {
            state.log.debug("no vCPU threads: \(error)", metadata: ["domain": "\(obj.name)", "step": "domain stats"])
            return params
        }
        for vcpu in threads {
            let n = vcpu.number
            params.append(TypedParameter("vcpu.\(n).state", .int(1)))  // VIR_VCPU_RUNNING
            params.append(TypedParameter("vcpu.\(n).time", .ullong(ProcStat.read(instance.pid, thread: vcpu.tid)?.cpuTimeNanoseconds ?? 0)))
            params.append(TypedParameter("vcpu.\(n).wait", .ullong(ProcStat.schedWait(instance.pid, thread: vcpu.tid))))
            params.append(TypedParameter("vcpu.\(n).delay", .ullong(ProcStat.schedDelay(instance.pid, thread: vcpu.tid))))
        }
        return params
    }

    /// The pinning of the definition's vCPUs: every host CPU, this driver
    /// having no `<cputune>`.
    ///
    /// libvirt: `qemuDomainGetVcpuPinInfo` (`virDomainDefGetVcpuPinInfoHelper`).
    public func vcpuPinInfo(_ dom: DomainRef, config: Bool) throws(VirError) -> [[Bool]] {
        let obj = try obj(dom)
        if !config && !obj.isActive { throw VirError.notRunning }
        let def = config ? obj.persistentDef : obj.def
        return Array(repeating: Array(repeating: true, count: Self.hostCPUCount), count: Int(def.vcpus))
    }

    /// The host's CPUs, present or not (libvirt: `virHostCPUGetCount`).
    static var hostCPUCount: Int { max(Int(sysconf(Int32(_SC_NPROCESSORS_CONF))), 1) }

    /// libvirt: `virProcessGetAffinity`.
    static func affinity(of tid: pid_t, hostCPUs: Int) -> [Bool] {
        var mask = [UInt8](repeating: 0, count: max((hostCPUs + 7) / 8, 128))
        guard mask.withUnsafeMutableBytes({ sched_getaffinity(tid, $0.count, $0.baseAddress) }) == 0 else {
            return Array(repeating: true, count: hostCPUs)
        }
        return (0..<hostCPUs).map { i in mask[i / 8] & (1 << UInt8(i % 8)) != 0 }
    }
}
