import Foundation
import domain_conf
import Glibc
import virutil

/// One NUMA cell of the host as capabilities' `<topology>` shows it: its
/// memory, its page pools, its distances and its CPUs with their place in
/// the package.
///
/// libvirt: `virCapsHostNUMACell`, filled by
/// `virCapabilitiesHostNUMAInitReal` (src/conf/capabilities.c).
struct HostNUMACell: Sendable, Equatable {
    struct CPU: Sendable, Equatable {
        var id: UInt32
        var socket: Int, die: Int, core: Int
        var siblings: Set<UInt32>
    }

    var id: Int
    /// KiB (`MemTotal` of the node).
    var memory: UInt64
    /// Page size in KiB → pages in the pool, smallest size first.
    var pages: [(size: UInt64, count: UInt64)]
    /// Cell id → distance, the cells the node lists with a non-zero value.
    var distances: [(cell: Int, value: Int)]
    var cpus: [CPU]

    static func == (a: HostNUMACell, b: HostNUMACell) -> Bool {
        a.id == b.id && a.memory == b.memory && a.cpus == b.cpus
            && a.pages.map(\.size) == b.pages.map(\.size) && a.pages.map(\.count) == b.pages.map(\.count)
            && a.distances.map(\.cell) == b.distances.map(\.cell) && a.distances.map(\.value) == b.distances.map(\.value)
    }

    static var systemPageKiB: UInt64 { UInt64(max(sysconf(Int32(_SC_PAGESIZE)), 1024)) / 1024 }

    /// The huge page sizes (KiB) a hugepages directory has, in increasing
    /// order (`hugepages-2048kB`).
    ///
    /// libvirt: `virNumaGetPages`' directory walk.
    static func hugePageSizes(_ dir: String) -> [UInt64] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).compactMap { name -> UInt64? in
            guard name.hasPrefix("hugepages-"), name.lowercased().hasSuffix("kb") else { return nil }
            return UInt64(name.dropFirst("hugepages-".count).dropLast(2))
        }.sorted()
    }

    /// Every cell of the host, from /sys/devices/system/node.
    ///
    /// libvirt: `virCapabilitiesHostNUMAInitReal`.
    static func readAll() -> [HostNUMACell] {
        NodeFreeMemory.cells().map(read)
    }

    static func read(_ id: Int) -> HostNUMACell {
        let node = "\(NodeInfo.sysfs)/node/node\(id)"
        let total = NodeInfo.meminfoKiB(node + "/meminfo", "MemTotal:") ?? 0
        var pages: [(size: UInt64, count: UInt64)] = []
        var hugeKiB: UInt64 = 0
        for size in hugePageSizes(node + "/hugepages") {
            let count = UInt64(NodeInfo.Topology.number(node + "/hugepages/hugepages-\(size)kB/nr_hugepages") ?? 0)
            pages.append((size, count))
            hugeKiB += size * count
        }
        // The huge page pools cut into the node's memory; the rest is in
        // pages of the system's size (virNumaGetPageInfo).
        let page = systemPageKiB
        pages.insert((page, (total >= hugeKiB ? total - hugeKiB : 0) / page), at: 0)
        let distanceText = (try? String(contentsOfFile: node + "/distance", encoding: .utf8)) ?? ""
        let distances = distanceText.split(whereSeparator: \.isWhitespace).enumerated().compactMap { i, v -> (cell: Int, value: Int)? in
            guard let value = Int(v), value != 0 else { return nil }
            return (i, value)
        }
        let cpus = NodeInfo.cpus(ofNode: id).map { cpu -> CPU in
            let base = "\(NodeInfo.sysfs)/cpu/cpu\(cpu)/topology"
            return CPU(id: cpu, socket: NodeInfo.Topology.number(base + "/physical_package_id") ?? 0,
                       die: NodeInfo.Topology.number(base + "/die_id") ?? 0,
                       core: NodeInfo.Topology.number(base + "/core_id") ?? 0,
                       siblings: NodeInfo.Topology.cpuList(base + "/thread_siblings_list"))
        }
        return HostNUMACell(id: id, memory: total, pages: pages, distances: distances, cpus: cpus)
    }

    /// libvirt: `virCapabilitiesHostNUMAFormat`'s cell.
    func format(into out: inout XMLText) {
        out.open("cell id='\(id)'")
        if memory > 0 { out.line("<memory unit='KiB'>\(memory)</memory>") }
        for p in pages { out.line("<pages unit='KiB' size='\(p.size)'>\(p.count)</pages>") }
        if !distances.isEmpty {
            out.open("distances")
            for d in distances { out.line("<sibling id='\(d.cell)' value='\(d.value)'/>") }
            out.close("distances")
        }
        out.open("cpus num='\(cpus.count)'")
        for c in cpus {
            out.line("<cpu id='\(c.id)' socket_id='\(c.socket)' die_id='\(c.die)' core_id='\(c.core)' siblings='\(VirBitmap.format(c.siblings))'/>")
        }
        out.close("cpus")
        out.close("cell")
    }
}
