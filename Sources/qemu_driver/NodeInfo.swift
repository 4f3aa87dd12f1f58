import Foundation
import Glibc
import libvirt_abi
import virutil

/// The host's processors and memory as `virNodeGetInfo` reports them.
///
/// libvirt: `virNodeInfo`, filled by `virCapabilitiesGetNodeInfo` →
/// `virHostCPUGetInfoPopulateLinux` (src/util/virhostcpu.c) and
/// `virHostMemGetInfo`.
public struct NodeInfo: Sendable, Equatable {
    /// The host's architecture (`x86_64`).
    public var model: String
    /// KiB.
    public var memory: UInt64
    public var cpus: UInt32
    public var mhz: UInt32
    public var nodes: UInt32
    public var sockets: UInt32
    public var cores: UInt32
    public var threads: UInt32

    static let sysfs = "/sys/devices/system"

    /// Reads /sys, /proc/cpuinfo and /proc/meminfo.
    public static func read() throws(VirError) -> NodeInfo {
        var uts = utsname()
        uname(&uts)
        let machine = withUnsafeBytes(of: &uts.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        guard let total = meminfoKiB("/proc/meminfo", "MemTotal:") else {
            throw VirError(.internalError, "cannot read MemTotal from /proc/meminfo")
        }
        let topology = try Topology.read()
        return NodeInfo(model: machine, memory: total, cpus: topology.cpus, mhz: frequency(machine), nodes: topology.nodes,
                        sockets: topology.sockets, cores: topology.cores, threads: topology.threads)
    }

    /// A field of a meminfo file in KiB: `/proc/meminfo` (`MemTotal: N kB`)
    /// or a NUMA node's (`Node 0 MemFree: N kB`).
    static func meminfoKiB(_ path: String, _ field: String) -> UInt64? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.contains(field) }) else { return nil }
        return line.split(separator: " ").compactMap { UInt64($0) }.last
    }

    /// The CPUs a NUMA node's sysfs directory lists (`cpuN`), in order.
    static func cpus(ofNode node: Int) -> [UInt32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(sysfs)/node/node\(node)")) ?? [])
            .compactMap { $0.hasPrefix("cpu") ? UInt32($0.dropFirst(3)) : nil }.sorted()
    }

    /// The first `cpu MHz` of /proc/cpuinfo on x86, its integer part; 0
    /// where there is none (ARM).
    ///
    /// libvirt: `virHostCPUParseFrequency`.
    static func frequency(_ machine: String) -> UInt32 {
        let prefix: String
        switch machine {
        case "x86_64", "i686", "i586", "i486", "i386": prefix = "cpu MHz"
        case "s390x": prefix = "cpu MHz dynamic"
        case _ where machine.hasPrefix("ppc"): prefix = "clock"
        default: return 0
        }
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            let rest = line.dropFirst(prefix.count).drop { $0 == " " || $0 == "\t" }
            guard rest.first == ":" else { continue }
            let digits = rest.dropFirst().drop { $0 == " " || $0 == "\t" }.prefix { $0.isASCII && $0.isNumber }
            return UInt32(digits) ?? 0
        }
        return 0
    }

    /// NUMA nodes, sockets per node, cores per socket and threads per core,
    /// counted from sysfs; a topology whose product is not the number of
    /// CPUs is reported flat (one node, one socket, a core per CPU), as
    /// libvirt does.
    struct Topology {
        var cpus: UInt32 = 0, nodes: UInt32 = 0, sockets: UInt32 = 0, cores: UInt32 = 0, threads: UInt32 = 0

        static func read() throws(VirError) -> Topology {
            let present = cpuList("\(sysfs)/cpu/present")
            let online = cpuList("\(sysfs)/cpu/online")
            var t = Topology()
            var offline: UInt32 = 0
            let nodes = NodeFreeMemory.cells()
            let groups = nodes.isEmpty ? [present.sorted()] : nodes.map { NodeInfo.cpus(ofNode: $0).filter(present.contains) }
            for cpus in groups {
                var socketCores: [UInt32: Set<UInt32>] = [:]
                var threads: UInt32 = 0
                for cpu in cpus {
                    guard online.contains(cpu) else {
                        offline += 1
                        continue
                    }
                    t.cpus += 1
                    let base = "\(sysfs)/cpu/cpu\(cpu)/topology"
                    let socket = max(number(base + "/physical_package_id") ?? 0, 0)
                    let core = max(number(base + "/core_id") ?? 0, 0)
                    socketCores[UInt32(socket), default: []].insert(UInt32(core))
                    threads = max(threads, UInt32(cpuList(base + "/thread_siblings_list").count))
                }
                t.nodes += 1
                t.sockets = max(t.sockets, UInt32(socketCores.count))
                t.cores = max(t.cores, UInt32(socketCores.values.map(\.count).max() ?? 0))
                t.threads = max(t.threads, threads)
            }
            guard t.cpus > 0 else { throw VirError(.internalError, "no CPUs found") }
            guard t.sockets > 0 else { throw VirError(.internalError, "no sockets found") }
            guard t.threads > 0 else { throw VirError(.internalError, "no threads found") }
            if t.nodes * t.sockets * t.cores * t.threads != t.cpus + offline {
                t = Topology(cpus: t.cpus, nodes: 1, sockets: 1, cores: t.cpus + offline, threads: 1)
            }
            return t
        }

        /// A sysfs CPU list (`0-3,8,10-11`); empty when it cannot be read.
        static func cpuList(_ path: String) -> Set<UInt32> {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
            return VirBitmap.parse(text)
        }

        static func number(_ path: String) -> Int? {
            (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }
}

/// Free memory of the host's NUMA cells, from each node's meminfo.
///
/// libvirt: `virHostMemGetCellsFree`, `virHostMemGetInfo` (src/util/virhostmem.c).
public enum NodeFreeMemory {
    /// The ids of the NUMA nodes, in order.
    public static func cells() -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(NodeInfo.sysfs)/node")) ?? [])
            .compactMap { $0.hasPrefix("node") ? Int($0.dropFirst(4)) : nil }.sorted()
    }

    /// A node's free memory in bytes (`Node N MemFree: X kB`); 0 when it
    /// cannot be read, as libvirt reads it (`virNumaGetNodeMemory`).
    static func free(cell: Int) -> UInt64 {
        (NodeInfo.meminfoKiB("\(NodeInfo.sysfs)/node/node\(cell)/meminfo", "MemFree:") ?? 0) * 1024
    }

    /// The free memory of the cells from `start`, at most `max` of them.
    public static func cells(start: Int, max: Int) throws(VirError) -> [UInt64] {
        let ids = cells()
        guard let last = ids.last else { throw VirError(.internalError, "no NUMA nodes found") }
        guard start <= last else { throw VirError(.internalError, "start cell \(start) out of range (0-\(last))") }
        return (start...Swift.min(last, start + max - 1)).map { free(cell: $0) }
    }

    /// The free memory of every cell together, in bytes.
    public static func total() -> UInt64 {
        cells().reduce(0) { $0 + free(cell: $1) }
    }
}
