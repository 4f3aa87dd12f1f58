import domain_conf
import Foundation
import Glibc
import cpu_x86
import libvirt_abi
import qemu_capabilities
import qemu_process
import virutil

/// The host and guest capabilities of this driver, as `virsh capabilities`
/// prints them.
///
/// libvirt: `virQEMUDriverCreateCapabilities` (src/qemu/qemu_conf.c) →
/// `virQEMUCapsInit` (src/qemu/qemu_capabilities.c), formatted by
/// `virCapabilitiesFormatXML` (src/conf/capabilities.c).
struct QemuHostCapabilities: Sendable {
    var hostUUID: String
    /// With the host's topology.
    var cpu: VirCPUDef
    /// KiB, smallest first.
    var pageSizes: [UInt64]
    var powerManagement: [String]
    var iommu: Bool
    var migrationTransports: [String]
    var cells: [HostNUMACell]
    var caches: [HostCacheBank]
    /// `+uid:+gid` of QEMU's processes, DAC's base label.
    var dacLabel: String
    var guests: [Guest]

    /// One emulator the driver runs guests with.
    ///
    /// libvirt: `virCapsGuest`.
    struct Guest: Sendable {
        var arch: String
        var wordSize: Int
        var emulator: String
        var machines: [QemuMachine]
        var kvm: Bool
    }

    /// The URI transports `migrate --migrateuri` takes here that libvirt's
    /// schema can name: TCP (the other, `unix:`, is not in the schema's
    /// list; RDMA is not offered).
    static let migrationTransports = ["tcp"]

    /// libvirt: `virHostHasIOMMU` (a populated /sys/kernel/iommu_groups).
    static func hostHasIOMMU() -> Bool {
        !((try? FileManager.default.contentsOfDirectory(atPath: "/sys/kernel/iommu_groups")) ?? []).isEmpty
    }

    /// Whether this process may open /dev/kvm for QEMU.
    ///
    /// libvirt: `virQEMUCapsKVMUsable`, which asks the same of QEMU's user.
    static func kvmUsable(as identity: ProcessIdentity?) -> Bool {
        guard let identity, identity.uid != geteuid() else { return access("/dev/kvm", R_OK | W_OK) == 0 }
        var st = stat()
        guard stat("/dev/kvm", &st) == 0 else { return false }
        let rw = mode_t(S_IRUSR | S_IWUSR)
        if st.st_uid == identity.uid { return st.st_mode & rw == rw }
        if st.st_gid == identity.gid || identity.groups.contains(st.st_gid) {
            return st.st_mode & (rw >> 3) == rw >> 3
        }
        return st.st_mode & (rw >> 6) == rw >> 6
    }

    /// The guest list entries of an emulator's machine types: the default
    /// first, an alias right after the machine it names.
    ///
    /// libvirt: `virQEMUCapsInitGuestFromBinary` (the default moved to the
    /// front by `virQEMUCapsProbeQMPMachineTypes`).
    static func machineLines(_ machines: [QemuMachine]) -> [String] {
        // `none` is QEMU's machine without a board, for probing; libvirt hides it.
        let boards = machines.filter { $0.name != "none" }
        let ordered = boards.filter(\.isDefault) + boards.filter { !$0.isDefault }
        var lines: [String] = []
        for m in ordered {
            let extra = (m.maxCpus > 0 ? " maxCpus='\(m.maxCpus)'" : "") + (m.deprecated ? " deprecated='yes'" : "")
            lines.append("<machine\(extra)>\(XMLElement.escape(m.name))</machine>")
            if let alias = m.alias {
                let maxCpus = m.maxCpus > 0 ? " maxCpus='\(m.maxCpus)'" : ""
                lines.append("<machine canonical='\(XMLElement.escape(m.name))'\(maxCpus)>\(XMLElement.escape(alias))</machine>")
            }
        }
        return lines
    }

    /// libvirt: `virCapabilitiesFormatXML`.
    func format() -> String {
        var out = XMLText()
        out.open("capabilities")
        out.blank()
        out.open("host")
        out.element("uuid", hostUUID)
        out.open("cpu")
        for line in cpu.hostXMLLines() { out.line(line) }
        for size in pageSizes { out.line("<pages unit='KiB' size='\(size)'/>") }
        out.close("cpu")
        if powerManagement.isEmpty {
            out.line("<power_management/>")
        } else {
            out.open("power_management")
            for t in powerManagement { out.line("<\(t)/>") }
            out.close("power_management")
        }
        out.line("<iommu support='\(iommu ? "yes" : "no")'/>")
        out.open("migration_features")
        out.line("<live/>")
        out.open("uri_transports")
        for t in migrationTransports { out.element("uri_transport", t) }
        out.close("uri_transports")
        out.close("migration_features")
        out.open("topology")
        out.open("cells num='\(cells.count)'")
        for cell in cells { cell.format(into: &out) }
        out.close("cells")
        out.close("topology")
        if !caches.isEmpty {
            out.open("cache")
            for bank in caches { out.line(bank.line) }
            out.close("cache")
        }
        // No MAC driver: libvirt's stack then starts with "none", and DAC
        // is always there.
        out.open("secmodel")
        out.element("model", "none")
        out.element("doi", "0")
        out.close("secmodel")
        out.open("secmodel")
        out.element("model", "dac")
        out.element("doi", "0")
        out.element("baselabel", dacLabel, attributes: " type='kvm'")
        out.element("baselabel", dacLabel, attributes: " type='qemu'")
        out.close("secmodel")
        out.close("host")
        out.blank()
        for g in guests {
            out.open("guest")
            out.element("os_type", "hvm")
            out.open("arch name='\(g.arch)'")
            out.element("wordsize", String(g.wordSize))
            out.element("emulator", g.emulator)
            for line in Self.machineLines(g.machines) { out.line(line) }
            out.line("<domain type='qemu'/>")
            if g.kvm { out.line("<domain type='kvm'/>") }
            out.close("arch")
            // What a definition may say and this driver applies: <acpi/>
            // on or off, the APIC always on, <cpu> models, <boot order>.
            out.open("features")
            if g.arch == "i686" {
                out.line("<pae/>")
                out.line("<nonpae/>")
            }
            out.line("<acpi default='on' toggle='yes'/>")
            out.line("<apic default='on' toggle='no'/>")
            out.line("<cpuselection/>")
            out.line("<deviceboot/>")
            out.close("features")
            out.close("guest")
            out.blank()
        }
        out.close("capabilities")
        return out.text
    }
}
