import domain_conf
import qemu_capabilities
import qemu_process
import virutil

/// What one emulator offers a domain of one type, machine and
/// architecture under this driver, as `virsh domcapabilities` prints it.
///
/// Every element says what this driver does, which is less than libvirt's
/// QEMU driver: what the driver refuses to start (`<iothreads>`,
/// `<hostdev>`, `<filesystem>`, `<tpm>`, ...) is `supported='no'`, and an
/// enum lists only the values the driver runs, whatever the emulator
/// could do.
///
/// libvirt: `virDomainCaps` filled by `virQEMUCapsFillDomainCaps`
/// (src/qemu/qemu_capabilities.c), formatted by `virDomainCapsFormat`
/// (src/conf/domain_capabilities.c).
struct QemuDomainCapabilities: Sendable {
    var path: String
    /// `qemu` or `kvm`.
    var virtType: String
    var machine: String
    var arch: String
    var maxVcpus: Int
    /// Firmware executables of the descriptors that suit the machine.
    var loaders: [String]
    var efi: Bool
    var bios: Bool
    var secureBoot: Bool
    /// Custom CPU models: QEMU's, those libvirt's CPU map knows, with the
    /// map's vendor.
    var cpuModels: [(name: String, usable: Bool?, vendor: String?)]
    /// The enlightenments KVM's host CPU sets (what libvirt lists), `nil`
    /// where KVM cannot run.
    var hyperv: [String]?

    static func supported(_ yes: Bool) -> String { "supported='\(yes ? "yes" : "no")'" }

    /// An element `supported='yes'` with its enums, or `supported='no'`.
    static func device(_ out: inout XMLText, _ name: String, _ yes: Bool, enums: [(String, [String])]) {
        guard yes else {
            out.line("<\(name) supported='no'/>")
            return
        }
        out.open("\(name) supported='yes'")
        for (enumName, values) in enums { enumLines(&out, enumName, values) }
        out.close(name)
    }

    static func enumLines(_ out: inout XMLText, _ name: String, _ values: [String]) {
        guard !values.isEmpty else {
            out.line("<enum name='\(name)'/>")
            return
        }
        out.open("enum name='\(name)'")
        for v in values { out.element("value", v) }
        out.close("enum")
    }

    /// Whether the driver runs the definition element at `path`.
    static func applied(_ path: String) -> Bool {
        QemuDomainDefSupport.treatment(of: path) == .applied
    }

    var kvm: Bool { virtType == "kvm" }
    var isQ35: Bool { machine.hasPrefix("pc-q35") || machine == "q35" }

    /// libvirt: `virDomainCapsFormat`.
    func format() -> String {
        var out = XMLText()
        out.open("domainCapabilities")
        out.element("path", path)
        out.element("domain", virtType)
        out.element("machine", machine)
        out.element("arch", arch)
        out.line("<vcpu max='\(maxVcpus)'/>")
        out.line("<iothreads \(Self.supported(Self.applied("iothreads")))/>")
        formatOS(&out)
        formatCPU(&out)
        // memfd, file and anonymous backings are what -object memory-backend-* here runs.
        Self.device(&out, "memoryBacking", true, enums: [("sourceType", ["file", "anonymous", "memfd"])])
        out.open("devices")
        Self.device(&out, "disk", true, enums: [
            ("diskDevice", ["disk", "cdrom"]),
            // q35 has no IDE bus (its AHCI is the SATA one).
            ("bus", (isQ35 ? [] : ["ide"]) + ["scsi", "virtio", "sata"]),
            ("model", isQ35 ? ["virtio", "virtio-non-transitional"] : ["virtio", "virtio-transitional", "virtio-non-transitional"]),
        ])
        Self.device(&out, "graphics", true, enums: [("type", ["vnc", "spice"])])
        Self.device(&out, "video", true, enums: [("modelType", ["vga", "cirrus", "qxl", "virtio", "none", "bochs"])])
        Self.device(&out, "hostdev", Self.applied("devices/hostdev"), enums: [])
        Self.device(&out, "rng", true, enums: [
            // A transitional device is conventional PCI, which q35 would
            // need a pcie-to-pci-bridge for; this driver has none.
            ("model", isQ35 ? ["virtio", "virtio-non-transitional"] : ["virtio", "virtio-transitional", "virtio-non-transitional"]),
            ("backendModel", ["random", "builtin"]),
        ])
        Self.device(&out, "filesystem", Self.applied("devices/filesystem"), enums: [])
        Self.device(&out, "tpm", Self.applied("devices/tpm"), enums: [])
        Self.device(&out, "redirdev", true, enums: [("bus", ["usb"])])
        Self.device(&out, "channel", true, enums: [("type", ["pty", "unix", "spicevmc"])])
        out.close("devices")
        formatFeatures(&out)
        out.close("domainCapabilities")
        return out.text
    }

    /// libvirt: `virDomainCapsOSFormat`, `virDomainCapsLoaderFormat`.
    func formatOS(_ out: inout XMLText) {
        out.open("os supported='yes'")
        Self.enumLines(&out, "firmware", (bios ? ["bios"] : []) + (efi ? ["efi"] : []))
        out.open("loader supported='yes'")
        for l in loaders { out.element("value", l) }
        Self.enumLines(&out, "type", ["rom", "pflash"])
        Self.enumLines(&out, "readonly", ["yes", "no"])
        Self.enumLines(&out, "secure", secureBoot ? ["yes", "no"] : ["no"])
        out.close("loader")
        out.close("os")
    }

    /// The CPU modes: `host-passthrough` and `host-model` run QEMU's
    /// `host` CPU, so only under KVM, and `host-model` is not expanded to a
    /// named model; `maximum` is QEMU's `max`, under either accelerator;
    /// both take `migratable`.
    ///
    /// libvirt: `virDomainCapsCPUFormat`.
    func formatCPU(_ out: inout XMLText) {
        out.open("cpu")
        for (mode, yes, migratable) in [("host-passthrough", kvm, "hostPassthroughMigratable"), ("maximum", true, "maximumMigratable")] {
            guard yes else {
                out.line("<mode name='\(mode)' supported='no'/>")
                continue
            }
            out.open("mode name='\(mode)' supported='yes'")
            Self.enumLines(&out, migratable, ["on", "off"])
            out.close("mode")
        }
        out.line("<mode name='host-model' \(Self.supported(kvm))/>")
        if cpuModels.isEmpty {
            out.line("<mode name='custom' supported='yes'/>")
        } else {
            out.open("mode name='custom' supported='yes'")
            for m in cpuModels {
                let usable = m.usable.map { $0 ? "yes" : "no" } ?? "unknown"
                out.element("model", m.name, attributes: " usable='\(usable)' vendor='\(XMLElement.escape(m.vendor ?? "unknown"))'")
            }
            out.close("mode")
        }
        out.close("cpu")
    }

    /// libvirt: `virDomainCapsFeaturesFormat`.
    func formatFeatures(_ out: inout XMLText) {
        out.open("features")
        out.line("<gic supported='no'/>")
        out.line("<vmcoreinfo \(Self.supported(false))/>")
        out.line("<genid \(Self.supported(Self.applied("genid")))/>")
        // <backingStore> is kept, not given to QEMU; `virsh backup-begin` does not exist here.
        out.line("<backingStoreInput supported='no'/>")
        out.line("<backup supported='no'/>")
        out.line("<sev supported='no'/>")
        out.line("<sgx supported='no'/>")
        if let hyperv {
            out.open("hyperv supported='yes'")
            Self.enumLines(&out, "features", hyperv)
            out.close("hyperv")
        } else {
            out.line("<hyperv supported='no'/>")
        }
        out.close("features")
    }
}
