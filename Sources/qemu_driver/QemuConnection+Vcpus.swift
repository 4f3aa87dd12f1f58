import CGlibc
import Glibc
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_monitor
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
            let reply: JSONValue
            do throws(QemuMonitorError) { reply = try await instance.monitor().execute("query-cpus-fast") } catch {
                throw VirError(error)
            }
            let hostCPUs = Self.hostCPUCount
            return (reply.arrayValue ?? []).compactMap { entry -> DomainVcpuInfo? in
                guard let index = entry["cpu-index"]?.int64Value, let tid = entry["thread-id"]?.int64Value else { return nil }
                let stat = ProcStat.read(instance.pid, thread: pid_t(truncatingIfNeeded: tid))
                return DomainVcpuInfo(number: UInt32(truncatingIfNeeded: index), state: 1, cpuTime: stat?.cpuTimeNanoseconds ?? 0,
                                      cpu: stat?.processor ?? -1,
                                      affinity: Self.affinity(of: pid_t(truncatingIfNeeded: tid), hostCPUs: hostCPUs))
            }.sorted { $0.number < $1.number }
        }
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
