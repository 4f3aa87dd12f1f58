import Foundation
import domain_conf
import libvirt_abi

/// Accumulates arguments; one method per part of the command line.
struct QemuCommandLineBuilder {
    let def: DomainDef
    let paths: QemuInstancePaths
    var argv: [String] = []
    var ptys: [QemuCommandLine.PtyDevice] = []
    var bootIndex: [String: Int] = [:]

    init(def: DomainDef, paths: QemuInstancePaths) {
        self.def = def
        self.paths = paths
        // <os><boot dev=...> order becomes bootindex on the first device of
        // each kind.
        for (i, dev) in def.os.bootDevices.enumerated() where bootIndex[dev] == nil {
            bootIndex[dev] = i + 1
        }
    }

    mutating func add(_ args: String...) { argv += args }

    var devices: XMLElement { def.node.child("devices") ?? XMLElement("devices") }

    var isQ35: Bool { (def.os.machine ?? "pc").contains("q35") }

    func checkArchitecture() throws(VirError) {
        if def.os.type != "hvm" {
            throw QemuCommandLine.unsupported("OS type '\(def.os.type)' is not supported by this driver")
        }
        let arch = def.os.arch ?? "x86_64"
        if arch != "x86_64" && arch != "i686" {
            throw QemuCommandLine.unsupported("architecture '\(arch)' is not supported by this driver (x86_64 and i686 are)")
        }
        for name in ["loader", "nvram", "dtb", "firmware"] where def.os.node.child(name) != nil {
            throw QemuCommandLine.unsupported("<os><\(name)> is not supported by this driver")
        }
        if def.os.node.attribute("firmware") != nil {
            throw QemuCommandLine.unsupported("firmware auto-selection is not supported by this driver")
        }
    }

    mutating func addMachine() throws(VirError) {
        var machine = QemuCommandLine.escape(def.os.machine ?? "pc")
        machine += ",usb=off,dump-guest-core=off"
        if def.memoryBacking != nil { machine += ",memory-backend=\(QemuCommandLine.ramBackendID)" }
        for feature in def.features {
            switch feature {
            case "acpi", "apic", "pae": break
            case "vmport":
                let state = def.node.child("features")?.child("vmport")?.attribute("state") ?? "on"
                machine += ",vmport=\(state == "off" ? "off" : "on")"
            default:
                throw QemuCommandLine.unsupported("feature '\(feature)' is not supported by this driver")
            }
        }
        if !def.features.contains("acpi") { machine += ",acpi=off" }
        add("-machine", machine)
    }

    mutating func addAccelerator(kvmAvailable: Bool) throws(VirError) {
        switch def.virtType {
        case "kvm":
            guard kvmAvailable else {
                throw QemuCommandLine.unsupported("Domain requires KVM, but it is not available. Check that virtualization is enabled in the host BIOS, and host configuration is setup to load the kvm modules.")
            }
            add("-accel", "kvm")
        case "qemu":
            add("-accel", "tcg")
        default:
            throw QemuCommandLine.unsupported("domain type '\(def.virtType)' is not supported by the QEMU driver")
        }
    }

    mutating func addCPU(kvm: Bool) throws(VirError) {
        guard let cpu = def.node.child("cpu") else { return }
        if cpu.child("numa") != nil {
            throw QemuCommandLine.unsupported("guest NUMA topology is not supported by this driver")
        }
        let arch = def.os.arch ?? "x86_64"
        switch cpu.attribute("mode") ?? "custom" {
        case "host-passthrough", "host-model", "maximum":
            guard kvm else {
                throw QemuCommandLine.unsupported("CPU mode '\(cpu.attribute("mode") ?? "")' for \(arch) \(def.virtType) domain on \(arch) host is not supported by hypervisor")
            }
            add("-cpu", "host")
        default:
            if let model = cpu.childText("model") { add("-cpu", QemuCommandLine.escape(model)) }
        }
    }

    mutating func addMemory(ramFile: String) throws(VirError) {
        let bytes = def.memory * 1024
        add("-m", "size=\(def.memory)k")
        guard let backing = def.memoryBacking else { return }
        if backing.hugepages {
            throw QemuCommandLine.unsupported("hugepages are not supported by this driver")
        }
        let share = backing.access == .shared ? "true" : "false"
        let id = QemuCommandLine.ramBackendID
        switch backing.source {
        case .file?:
            add("-object", "{\"qom-type\":\"memory-backend-file\",\"id\":\"\(id)\",\"mem-path\":\(Self.jsonString(ramFile)),\"share\":\(share),\"size\":\(bytes)}")
        case .memfd?:
            add("-object", "{\"qom-type\":\"memory-backend-memfd\",\"id\":\"\(id)\",\"share\":\(share),\"size\":\(bytes)}")
        case .anonymous?, nil:
            add("-object", "{\"qom-type\":\"memory-backend-ram\",\"id\":\"\(id)\",\"share\":\(share),\"size\":\(bytes)}")
        }
    }

    mutating func addClock() throws(VirError) {
        let offset = def.node.child("clock")?.attribute("offset") ?? "utc"
        switch offset {
        case "utc": add("-rtc", "base=utc")
        case "localtime": add("-rtc", "base=localtime")
        default: throw QemuCommandLine.unsupported("clock offset '\(offset)' is not supported by this driver")
        }
    }

    mutating func addLifecycle() throws(VirError) {
        if def.onPoweroff != "destroy" {
            throw QemuCommandLine.unsupported("on_poweroff action '\(def.onPoweroff)' is not supported by this driver")
        }
        switch def.onReboot {
        case "restart": break
        case "destroy": add("-no-reboot")
        default: throw QemuCommandLine.unsupported("on_reboot action '\(def.onReboot)' is not supported by this driver")
        }
    }

    mutating func addBoot() throws(VirError) {
        if let kernel = def.os.node.childText("kernel") {
            add("-kernel", kernel)
            if let initrd = def.os.node.childText("initrd") { add("-initrd", initrd) }
            if let cmdline = def.os.node.childText("cmdline") { add("-append", cmdline) }
        }
        add("-boot", "strict=on")
    }

    mutating func addDevices() throws(VirError) {
        try checkOtherDevices()
        try addControllers()
        try addDisks()
        try addInterfaces()
        try addCharacterDevices()
        addBalloon()
    }

    /// Devices the driver knows but has nothing to add for, and those it
    /// cannot run.
    func checkOtherDevices() throws(VirError) {
        for e in devices.elements {
            switch e.name {
            case "emulator", "disk", "interface", "serial", "console", "memballoon":
                continue
            case "controller":
                let type = e.attribute("type") ?? ""
                let model = e.attribute("model")
                switch type {
                case "pci" where model == nil || model == "pci-root" || model == "pcie-root": continue
                case "pci" where model == "pcie-root-port" && isQ35: continue
                case "ide" where !isQ35: continue
                case "sata" where isQ35: continue
                case "usb" where model == "none": continue
                default:
                    throw QemuCommandLine.unsupported("controller type '\(type)'\(model.map { " model '\($0)'" } ?? "") is not supported by this driver")
                }
            case "input":
                let type = e.attribute("type") ?? ""
                if e.attribute("bus") == "ps2" && (type == "mouse" || type == "keyboard") { continue }
                throw QemuCommandLine.unsupported("input device '\(type)' on bus '\(e.attribute("bus") ?? "")' is not supported by this driver")
            case "video" where e.child("model")?.attribute("type") == "none":
                continue
            default:
                let type = e.attribute("type") ?? e.attribute("model") ?? e.child("model")?.attribute("type")
                throw QemuCommandLine.unsupported("\(e.name) device\(type.map { " '\($0)'" } ?? "") is not supported by this driver")
            }
        }
    }

    /// The PCI controllers QEMU does not have by itself: a q35 machine's
    /// `pcie-root-port`s, each the bus `pci.INDEX` of the device behind it.
    ///
    /// libvirt: `qemuBuildControllersByTypeCommandLine` (PCI), with
    /// `qemuBuildPCIControllerDevProps`.
    mutating func addControllers() throws(VirError) {
        for c in def.controllers where c.type == .pci && c.model == "pcie-root-port" {
            let name = c.modelName ?? "pcie-root-port"
            guard name == "pcie-root-port", let index = c.index else {
                throw QemuCommandLine.unsupported("PCI controller model '\(name)' is not supported by this driver")
            }
            var device = name
            if let port = c.targetPort { device += ",port=0x\(String(port, radix: 16))" }
            device += ",chassis=\(c.targetChassis ?? UInt32(index)),id=pci.\(index)"
            add("-device", device + pciAddress(c.address))
        }
    }

    /// `<qemu:commandline>`: arguments the XML passes to QEMU as they are
    /// (libvirt taints such domains "custom-argv").
    ///
    /// libvirt: `qemuBuildCommandLineNamespace` (src/qemu/qemu_domain.c's
    /// `qemuDomainXMLNamespace`).
    mutating func addPassthrough() {
        let prefixes = def.node.attributes.filter { $0.value == QemuCommandLine.qemuNamespace && $0.name.hasPrefix("xmlns:") }
            .map { String($0.name.dropFirst("xmlns:".count)) }
        for prefix in prefixes {
            for commandline in def.node.children(named: prefix + ":commandline") {
                for arg in commandline.children(named: prefix + ":arg") {
                    if let v = arg.attribute("value") { add(v) }
                }
            }
        }
    }

    mutating func addBalloon() {
        if def.memballoon?.model == "virtio" {
            add("-device", "virtio-balloon-pci,id=\(QemuCommandLine.balloonAlias)\(pciAddress(def.memballoon?.address))")
        }
    }

    /// Where a PCI device goes: `,bus=pci.0,addr=0x3` (QEMU's root bus is
    /// `pci.0` on i440fx, `pcie.0` on q35; `addr` is slot[.function]), or
    /// nothing for a device without a PCI address (QEMU then picks the
    /// first free slot itself, which another QEMU version need not do).
    ///
    /// libvirt: `qemuBuildDeviceAddressProps` (the PCI case).
    func pciAddress(_ address: DomainDeviceAddress?) -> String {
        guard let a = address?.pci else { return "" }
        let bus = a.bus == 0 ? (isQ35 ? "pcie.0" : "pci.0") : "pci.\(a.bus)"
        var s = ",bus=\(bus),addr=\(a.qemuAddr)"
        if let multi = a.multifunction { s += ",multifunction=\(multi ? "on" : "off")" }
        return s
    }

    /// `hda` → 0, `hdb` → 1, ... (libvirt: `virDiskNameToIndex`).
    static func diskIndex(_ dev: String, prefix: String) -> Int? {
        guard dev.hasPrefix(prefix) else { return nil }
        var index = 0
        let letters = dev.dropFirst(prefix.count)
        guard !letters.isEmpty else { return nil }
        for c in letters.unicodeScalars {
            guard c.value >= 97, c.value <= 122 else { return nil }
            index = index * 26 + Int(c.value - 97) + 1
        }
        return index - 1
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if c.value < 0x20 { out += String(format: "\\u%04x", c.value) } else { out.unicodeScalars.append(c) }
            }
        }
        return out + "\""
    }
}
