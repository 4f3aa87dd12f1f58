import domain_conf
import libvirt_abi
import qemu_domain
import qemu_monitor
import qemu_process

/// The I/O statistics of a running domain's disks, as QEMU counts them.
extension QemuConnection {
    /// One disk's counters (`path`: its target or source), or with an
    /// empty `path` the sum over all disks, in libvirt's order and names:
    /// `wr_bytes`, `wr_operations`, `rd_bytes`, `rd_operations`,
    /// `flush_operations`, `wr_total_times`, `rd_total_times`,
    /// `flush_total_times`.
    ///
    /// libvirt: `qemuDomainBlockStatsFlags` → `qemuDomainBlocksStatsGather`
    /// over `query-blockstats` (`qemuMonitorJSONGetAllBlockStatsInfo`).
    public func blockStats(_ dom: DomainRef, path: String, flags: UInt32 = 0) async throws(VirError) -> [TypedParameter] {
        // VIR_TYPED_PARAM_STRING_OKAY is trivially supported.
        try Self.checkFlags(flags, allowed: 1 << 2, "qemuDomainBlockStatsFlags")
        let obj = try obj(dom)
        return try await withJob(obj, .query, api: "qemuDomainBlockStatsFlags") { () throws(VirError) -> [TypedParameter] in
            guard obj.isActive, let instance = obj.qemu.instance else { throw VirError.notRunning }
            let def = obj.def
            let q35 = QemuDomainAddress.Chipset(machine: def.os.machine) == .q35
            var disks = def.disks
            if !path.isEmpty {
                // virDomainDiskByName: the target, else the source.
                guard let disk = def.disks.first(where: { $0.targetDev == path }) ?? def.disks.first(where: { $0.sourcePath == path }) else {
                    throw VirError(.invalidArg, "invalid path: \(path)")
                }
                disks = [disk]
            }
            let reply: JSONValue
            do throws(QemuMonitorError) { reply = try await instance.monitor().execute("query-blockstats") } catch {
                throw VirError(error)
            }
            // Each device's entry, by the qdev id QEMU reports
            // (`/machine/peripheral/ALIAS/virtio-backend` or `ALIAS`).
            var byAlias: [String: [String: JSONValue]] = [:]
            for entry in reply.arrayValue ?? [] {
                guard let qdev = entry["qdev"]?.stringValue, let stats = entry["stats"]?.objectValue else { continue }
                let parts = qdev.split(separator: "/")
                let alias = qdev.hasPrefix("/machine/peripheral/") && parts.count >= 3 ? String(parts[2]) : qdev
                byAlias[alias] = stats
            }
            let fields = [("wr_bytes", "wr_bytes"), ("wr_operations", "wr_operations"), ("rd_bytes", "rd_bytes"),
                          ("rd_operations", "rd_operations"), ("flush_operations", "flush_operations"),
                          ("wr_total_times", "wr_total_time_ns"), ("rd_total_times", "rd_total_time_ns"),
                          ("flush_total_times", "flush_total_time_ns")]
            var sums = [Int64](repeating: 0, count: fields.count)
            for disk in disks {
                guard let alias = QemuCommandLine.diskAlias(disk, q35: q35) else {
                    throw VirError(.internalError, "missing disk device alias name for \(disk.targetDev)")
                }
                guard let stats = byAlias[alias] else {
                    // A cdrom without media has no statistics; with a name
                    // given, libvirt says so.
                    if !path.isEmpty { throw VirError(.internalError, "cannot find statistics for device '\(alias)'") }
                    continue
                }
                for (i, f) in fields.enumerated() {
                    let v = stats[f.1]?.int64Value ?? 0
                    sums[i] = sums[i].addingReportingOverflow(v).overflow ? Int64.max : sums[i] + v
                }
            }
            return zip(fields, sums).map { TypedParameter($0.0.0, .llong($0.1)) }
        }
    }
}
