import virdomainobjlist
import Glibc
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
            let byAlias = Self.byDeviceAlias(reply, "stats")
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

    /// Each device's entry of a `query-blockstats` or `query-block` reply
    /// (its `field`), by the qdev id QEMU reports
    /// (`/machine/peripheral/ALIAS/virtio-backend` or `ALIAS`).
    static func byDeviceAlias(_ reply: JSONValue, _ field: String) -> [String: [String: JSONValue]] {
        var byAlias: [String: [String: JSONValue]] = [:]
        for entry in reply.arrayValue ?? [] {
            guard let qdev = entry["qdev"]?.stringValue, let value = entry[field]?.objectValue else { continue }
            let parts = qdev.split(separator: "/")
            let alias = qdev.hasPrefix("/machine/peripheral/") && parts.count >= 3 ? String(parts[2]) : qdev
            byAlias[alias] = value
        }
        return byAlias
    }

    /// The `block` group of `virConnectGetAllDomainStats`: `block.count`
    /// and per disk `block.N.name`, `block.N.path` (a local source), and
    /// while the domain runs, from the monitor under the stats' job, the
    /// request counters (`rd.reqs`, `rd.bytes`, `rd.times`, `wr.*`,
    /// `fl.reqs`, `fl.times`), `allocation` (the highest offset written),
    /// `capacity` and `physical` (the image's size and what it takes on
    /// the host); a shut-off domain's sizes are read from its files. The
    /// backing chains (`VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING`) are one
    /// layer each: this driver runs no backing files.
    ///
    /// libvirt: `qemuDomainGetStatsBlock` (`qemuDomainGetStatsBlockExportDisk`,
    /// `qemuDomainGetStatsOneBlock`, `qemuDomainGetStatsOneBlockFallback`).
    func blockGroupStats(_ obj: DomainObj, monitor: QemuMonitor?) async -> [TypedParameter] {
        let def = obj.def
        var params = [TypedParameter("block.count", .uint(UInt32(def.disks.count)))]
        let active = obj.isActive
        var stats: [String: [String: JSONValue]] = [:], images: [String: [String: JSONValue]] = [:]
        if active, let monitor {
            do throws(QemuMonitorError) {
                stats = Self.byDeviceAlias(try await monitor.execute("query-blockstats"), "stats")
                images = Self.byDeviceAlias(try await monitor.execute("query-block"), "inserted")
            } catch {
                state.log.debug("no block statistics: \(error)", metadata: ["domain": "\(obj.name)", "step": "domain stats"])
            }
        }
        let q35 = QemuDomainAddress.Chipset(machine: def.os.machine) == .q35
        for (i, disk) in def.disks.enumerated() {
            params.append(TypedParameter("block.\(i).name", .string(disk.targetDev)))
            if let path = disk.sourcePath { params.append(TypedParameter("block.\(i).path", .string(path))) }
            guard active else {
                params += Self.imageSizes(disk, index: i)
                continue
            }
            guard let alias = QemuCommandLine.diskAlias(disk, q35: q35), let entry = stats[alias] else { continue }
            let counters = [("rd.reqs", "rd_operations"), ("rd.bytes", "rd_bytes"), ("rd.times", "rd_total_time_ns"),
                            ("wr.reqs", "wr_operations"), ("wr.bytes", "wr_bytes"), ("wr.times", "wr_total_time_ns"),
                            ("fl.reqs", "flush_operations"), ("fl.times", "flush_total_time_ns")]
            for (name, field) in counters {
                params.append(TypedParameter("block.\(i).\(name)", .ullong(entry[field]?.uint64Value ?? 0)))
            }
            params.append(TypedParameter("block.\(i).allocation", .ullong(entry["wr_highest_offset"]?.uint64Value ?? 0)))
            let image = images[alias]?["image"]?.objectValue
            let capacity = image?["virtual-size"]?.uint64Value ?? 0
            if capacity > 0 { params.append(TypedParameter("block.\(i).capacity", .ullong(capacity))) }
            if let physical = image?["actual-size"]?.uint64Value ?? (capacity > 0 ? capacity : nil), physical > 0 {
                params.append(TypedParameter("block.\(i).physical", .ullong(physical)))
            }
        }
        return params
    }

    /// A shut-off domain's disk sizes from its file: `allocation` (the
    /// blocks it takes), `capacity` (the guest's size: a qcow2 header's,
    /// else the file's) and `physical` (the file's size), each when not 0.
    ///
    /// libvirt: `qemuStorageLimitsRefresh` (`virStorageSourceUpdateBackingSizes`,
    /// `virStorageSourceUpdateCapacity`).
    static func imageSizes(_ disk: DomainDiskDef, index i: Int) -> [TypedParameter] {
        guard let path = disk.sourcePath else { return [] }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return [] }
        defer { Glibc.close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return [] }
        var size = UInt64(max(st.st_size, 0))
        if (st.st_mode & S_IFMT) == S_IFBLK {
            let end = lseek(fd, 0, SEEK_END)
            size = end > 0 ? UInt64(end) : 0
        }
        let allocation = (st.st_mode & S_IFMT) == S_IFREG ? UInt64(max(st.st_blocks, 0)) * 512 : size
        var capacity = size
        if disk.format == "qcow2" {
            // QCOW2's header: magic "QFI\xfb", the virtual size at offset 24, big-endian.
            var header = [UInt8](repeating: 0, count: 32)
            if pread(fd, &header, 32, 0) == 32, header[0..<4] == [0x51, 0x46, 0x49, 0xfb] {
                capacity = header[24..<32].reduce(0) { $0 << 8 | UInt64($1) }
            }
        }
        var params: [TypedParameter] = []
        if allocation > 0 { params.append(TypedParameter("block.\(i).allocation", .ullong(allocation))) }
        if capacity > 0 { params.append(TypedParameter("block.\(i).capacity", .ullong(capacity))) }
        if size > 0 { params.append(TypedParameter("block.\(i).physical", .ullong(size))) }
        return params
    }
}
