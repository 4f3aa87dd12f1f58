import Foundation
import domain_conf
import virutil

/// One bank of a host CPU cache of level 3 or more, shared by a set of
/// CPUs, as capabilities' `<cache>` lists it.
///
/// libvirt: `virCapsHostCacheBank`, filled by `virCapabilitiesInitCaches`
/// (src/conf/capabilities.c). Resource control (`<control>`, resctrl) is
/// not read: this driver does not offer `<cachetune>`.
struct HostCacheBank: Sendable, Equatable {
    var id: UInt32
    var level: UInt32
    /// `both`, `code` or `data`.
    var type: String
    /// Bytes.
    var size: UInt64
    var cpus: Set<UInt32>

    /// Levels below this are not shown (libvirt's `cache_min_level`).
    static let minimumLevel: UInt32 = 3

    /// The banks of the online CPUs' caches, each once, by level then id.
    static func readAll(sysfs: String = NodeInfo.sysfs) -> [HostCacheBank] {
        var banks: [HostCacheBank] = []
        for cpu in NodeInfo.Topology.cpuList("\(sysfs)/cpu/online").sorted() {
            let dir = "\(sysfs)/cpu/cpu\(cpu)/cache"
            let entries = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix("index") }
            for entry in entries.sorted() {
                let base = dir + "/" + entry
                guard let level = NodeInfo.Topology.number(base + "/level"), level >= Int(minimumLevel),
                      let id = NodeInfo.Topology.number(base + "/id"),
                      let kernelType = try? String(contentsOfFile: base + "/type", encoding: .utf8),
                      let sizeText = try? String(contentsOfFile: base + "/size", encoding: .utf8),
                      let size = scaled(sizeText.trimmingCharacters(in: .whitespacesAndNewlines)),
                      let type = typeName(kernelType.trimmingCharacters(in: .whitespacesAndNewlines))
                else { continue }
                let bank = HostCacheBank(id: UInt32(clamping: id), level: UInt32(clamping: level), type: type, size: size,
                                         cpus: NodeInfo.Topology.cpuList(base + "/shared_cpu_list"))
                if !banks.contains(bank) { banks.append(bank) }
            }
        }
        return banks.sorted { ($0.level, $0.id) < ($1.level, $1.id) }
    }

    /// The kernel's `Unified`, `Instruction`, `Data` as libvirt names them.
    ///
    /// libvirt: `virCacheKernelType` → `virCacheType`.
    static func typeName(_ kernel: String) -> String? {
        switch kernel {
        case "Unified": return "both"
        case "Instruction": return "code"
        case "Data": return "data"
        default: return nil
        }
    }

    /// sysfs's `32768K` in bytes.
    ///
    /// libvirt: `virFileReadValueScaledInt` (`virScaleInteger`, base 1024).
    static func scaled(_ text: String) -> UInt64? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard let value = UInt64(digits) else { return nil }
        let shift: UInt64
        switch text.dropFirst(digits.count).uppercased() {
        case "", "B": shift = 0
        case "K", "KIB": shift = 10
        case "M", "MIB": shift = 20
        case "G", "GIB": shift = 30
        default: return nil
        }
        let (product, overflow) = value.multipliedReportingOverflow(by: 1 << shift)
        return overflow ? nil : product
    }

    /// A byte count in the largest unit that divides it (`32 MiB`).
    ///
    /// libvirt: `virFormatIntPretty`.
    static func pretty(_ bytes: UInt64) -> (value: UInt64, unit: String) {
        var value = bytes
        for unit in ["B", "KiB", "MiB", "GiB", "TiB"] {
            if value == 0 || value % 1024 != 0 { return (value, unit) }
            value /= 1024
        }
        return (value, "PiB")
    }

    /// libvirt: `virCapabilitiesFormatCaches`' bank.
    var line: String {
        let (value, unit) = Self.pretty(size)
        return "<bank id='\(id)' level='\(level)' type='\(type)' size='\(value)' unit='\(unit)' cpus='\(VirBitmap.format(cpus))'/>"
    }
}
