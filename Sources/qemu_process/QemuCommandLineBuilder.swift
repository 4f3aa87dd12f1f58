import Foundation
import domain_conf
import libvirt_abi

/// Accumulates arguments; one method per part of the command line.
struct QemuCommandLineBuilder {
    let def: DomainDef
    let paths: QemuInstancePaths
    let options: QemuCommandLine.Options
    var argv: [String] = []
    var ptys: [QemuCommandLine.PtyDevice] = []
    var channelSockets: [Int: String] = [:]
    var bootIndex: [String: Int] = [:]

    init(def: DomainDef, paths: QemuInstancePaths, options: QemuCommandLine.Options) {
        self.def = def
        self.paths = paths
        self.options = options
        // <os><boot dev=...> order becomes bootindex on the first device of
        // each kind.
        for (i, dev) in def.os.bootDevices.enumerated() where bootIndex[dev] == nil {
            bootIndex[dev] = i + 1
        }
    }

    mutating func add(_ args: String...) { argv += args }

    /// A device's own `<boot order='N'/>`, as `,bootindex=N`; refused
    /// together with `<os><boot>`, as libvirt refuses it.
    ///
    /// libvirt: `virDomainDeviceBootParseXML`, `virDomainDefParseBootOptions`.
    func deviceBootIndex(_ node: XMLElement) throws(VirError) -> String? {
        guard let boot = node.child("boot") else { return nil }
        guard def.os.bootDevices.isEmpty else {
            throw VirError(.configUnsupported, "per-device boot elements cannot be used together with os/boot elements")
        }
        guard let text = boot.attribute("order"), let order = UInt32(text), order > 0 else {
            throw VirError(.xmlError, "incorrect boot order '\(boot.attribute("order") ?? "")', expecting positive integer")
        }
        return ",bootindex=\(order)"
    }

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
        if def.os.node.child("dtb") != nil {
            throw QemuCommandLine.unsupported("<os><dtb> is not supported by this driver")
        }
        try checkFirmware()
    }

    /// `-machine`, its options in libvirt's order: `usb=off`, the feature
    /// switches (`vmport`, `smm`), `dump-guest-core`, the RAM backend, the
    /// flash devices, `acpi=off`.
    ///
    /// libvirt: `qemuBuildMachineCommandLine`.
    mutating func addMachine() throws(VirError) {
        var machine = QemuCommandLine.escape(def.os.machine ?? "pc")
        machine += ",usb=off"
        for feature in def.features {
            switch feature {
            case "acpi", "apic", "pae", "vmport", "smm": break
            // Enlightenments and KVM's and the PMU's switches are CPU flags (addCPU).
            case "hyperv", "kvm", "pmu": break
            default:
                throw QemuCommandLine.unsupported("feature '\(feature)' is not supported by this driver")
            }
        }
        for switchName in ["vmport", "smm"] {
            if let state = def.featureState(switchName) { machine += ",\(switchName)=\(state == "off" ? "off" : "on")" }
        }
        machine += ",dump-guest-core=off"
        if let backing = def.memoryBacking {
            machine += ",memory-backend=\(QemuCommandLine.ramBackendID)"
            if options.auxRamShare && backing.isShareable { machine += ",aux-ram-share=on" }
        }
        machine += pflashMachineOptions
        if !def.features.contains("acpi") { machine += ",acpi=off" }
        // `<timer name='hpet' present='no'/>`: the machine property, which
        // QEMU 7.2 and 10.0 both take (10.0 has no -no-hpet).
        if timer("hpet")?.attribute("present") == "no" { machine += ",hpet=off" }
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

    /// `-smp`: the vCPUs online at start that cannot be unplugged (the
    /// hot-pluggable ones are plugged over QMP before the guest runs,
    /// `QemuProcess.plugStartupVcpus`), the maximum, and
    /// `<cpu><topology>` (one socket per vCPU without one).
    ///
    /// libvirt: `qemuBuildSmpCommandLine`.
    mutating func addSMP() throws(VirError) {
        let fixed = UInt32(def.vcpuList.filter { $0.online && $0.hotpluggable != true }.count)
        var smp = "\(fixed)"
        if fixed != def.vcpus { smp += ",maxcpus=\(def.vcpus)" }
        if let t = try def.cpuTopology() {
            guard t.vcpus == UInt64(def.vcpus) else {
                throw VirError(.configUnsupported, "CPU topology doesn't match maximum vcpu count")
            }
            smp += ",sockets=\(t.sockets)" + (t.dies > 1 ? ",dies=\(t.dies)" : "") + ",cores=\(t.cores),threads=\(t.threads)"
        } else {
            smp += ",sockets=\(def.vcpus),cores=1,threads=1"
        }
        add("-smp", smp)
    }

    /// `<cpu><feature policy=... name=...>` as QEMU CPU properties:
    /// `force`/`require`/`optional` on, `disable`/`forbid` off; libvirt's
    /// names are QEMU's with `_` for `-` (and `pclmuldq` for `pclmulqdq`).
    ///
    /// libvirt: `qemuBuildCpuModelArgStr` with the x86 CPU map's
    /// translations.
    static func cpuFeatureFlags(_ cpu: XMLElement) throws(VirError) -> [String] {
        try cpu.children(named: "feature").map { f throws(VirError) -> String in
            guard let raw = f.attribute("name") else { throw VirError(.xmlError, "Invalid CPU feature name") }
            let name = raw == "pclmuldq" ? "pclmulqdq" : raw.replacingOccurrences(of: "_", with: "-")
            switch f.attribute("policy") ?? "require" {
            case "force", "require", "optional": return "\(QemuCommandLine.escape(name))=on"
            case "disable", "forbid": return "\(QemuCommandLine.escape(name))=off"
            case let p: throw VirError(.xmlError, "Invalid CPU feature policy '\(p)'")
            }
        }
    }

    mutating func addCPU(kvm: Bool) throws(VirError) {
        var flags = try hypervFlags() + kvmAndPMUFlags()
        guard let cpu = def.node.child("cpu") else {
            // QEMU's default model, named when flags go with it.
            if !flags.isEmpty { add("-cpu", (["qemu64"] + flags).joined(separator: ",")) }
            return
        }
        if cpu.child("numa") != nil {
            throw QemuCommandLine.unsupported("guest NUMA topology is not supported by this driver")
        }
        flags = try Self.cpuFeatureFlags(cpu) + flags
        let arch = def.os.arch ?? "x86_64"
        let mode = cpu.attribute("mode") ?? "custom"
        switch mode {
        case "host-passthrough", "host-model", "maximum":
            // QEMU's `max` runs under TCG too; `host` is KVM's.
            guard kvm || mode == "maximum" else {
                throw QemuCommandLine.unsupported("CPU mode '\(mode)' for \(arch) \(def.virtType) domain on \(arch) host is not supported by hypervisor")
            }
            var name = mode == "maximum" ? "max" : "host"
            // libvirt reads `migratable` for these two modes only.
            if mode != "host-model", let migratable = cpu.attribute("migratable") {
                guard migratable == "on" || migratable == "off" else {
                    throw VirError(.xmlError, "Invalid value for attribute 'migratable' in element 'cpu': '\(migratable)'.")
                }
                name += ",migratable=\(migratable)"
            }
            add("-cpu", ([name] + flags).joined(separator: ","))
        default:
            if let model = cpu.childText("model") {
                var name = QemuCommandLine.escape(model)
                if let vendor = cpu.child("model")?.attribute("vendor_id") {
                    guard vendor.count == 12 else {
                        throw VirError(.xmlError, "vendor_id must be exactly 12 characters long")
                    }
                    name += ",vendor=" + QemuCommandLine.escape(vendor)
                }
                add("-cpu", ([name] + flags).joined(separator: ","))
            } else if !flags.isEmpty {
                add("-cpu", (["qemu64"] + flags).joined(separator: ","))
            }
        }
    }

    /// The Hyper-V enlightenments as CPU flags (`hv-time` for the
    /// `hypervclock` timer first, then `<features><hyperv>` in libvirt's
    /// order).
    ///
    /// libvirt: `qemuBuildCpuCommandLine` (the hyperv part).
    func hypervFlags() throws(VirError) -> [String] {
        var flags: [String] = []
        if timer("hypervclock")?.attribute("present") == "yes" { flags.append("hv-time=on") }
        guard let hyperv = def.node.child("features")?.child("hyperv") else { return flags }
        let mode = hyperv.attribute("mode") ?? "custom"
        guard mode == "custom" else {
            throw QemuCommandLine.unsupported("hyperv mode '\(mode)' is not supported by this driver")
        }
        let known = QemuCommandLine.hypervFeatures
        for e in hyperv.elements {
            guard known.contains(e.name) else {
                throw QemuCommandLine.unsupported("hyperv feature '\(e.name)' is not supported by this driver")
            }
        }
        for name in known {
            guard let e = hyperv.child(name), e.attribute("state") == "on" else { continue }
            switch name {
            case "spinlocks":
                let retries = e.attribute("retries").flatMap { UInt32($0) } ?? 8191
                flags.append("hv-spinlocks=0x" + String(retries, radix: 16))
            case "vendor_id":
                guard let value = e.attribute("value") else { continue }
                flags.append("hv-vendor-id=" + QemuCommandLine.escape(value))
            case "stimer":
                flags.append("hv-stimer=on")
                if e.child("direct")?.attribute("state") == "on" { flags.append("hv-stimer-direct=on") }
            case "tlbflush":
                flags.append("hv-tlbflush=on")
            default:
                flags.append("hv-\(name)=on")
            }
        }
        return flags
    }

    /// `<features><kvm>` (hide KVM's signature, hints) and `<pmu>` as CPU
    /// flags, as libvirt writes them (qemuxml2argvdata: kvm-features,
    /// pmu-feature).
    ///
    /// libvirt: `qemuBuildCpuCommandLine` (the KVM and PMU part).
    func kvmAndPMUFlags() throws(VirError) -> [String] {
        var flags: [String] = []
        let features = def.node.child("features")
        if let kvm = features?.child("kvm") {
            for e in kvm.elements {
                let on = e.attribute("state") == "on"
                switch e.name {
                case "hidden": if on { flags.append("kvm=off") }
                case "hint-dedicated": if on { flags.append("kvm-hint-dedicated=on") }
                case "poll-control": if on { flags.append("kvm-poll-control=on") }
                case "pv-ipi": if !on { flags.append("kvm-pv-ipi=off") }
                default: throw QemuCommandLine.unsupported("kvm feature '\(e.name)' is not supported by this driver")
                }
            }
        }
        if let pmu = features?.child("pmu") {
            flags.append("pmu=\(pmu.attribute("state") == "off" ? "off" : "on")")
        }
        return flags
    }

    /// `<clock><timer name=...>`.
    func timer(_ name: String) -> XMLElement? {
        def.node.child("clock")?.children(named: "timer").first { $0.attribute("name") == name }
    }

    mutating func addMemory(ramFile: String) throws(VirError) {
        let bytes = def.memory * 1024
        // <currentMemory> below <memory> is the balloon's target, set once
        // QEMU runs (QemuProcess.start): without a balloon nothing could.
        if def.currentMemory < def.memory && def.memballoon?.model != "virtio" {
            throw QemuCommandLine.unsupported("<currentMemory> below <memory> needs a virtio <memballoon> to apply it")
        }
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

    /// `<clock offset=...>` and its timers.
    ///
    /// libvirt: `qemuBuildClockCommandLine`.
    mutating func addClock() throws(VirError) {
        let offset = def.node.child("clock")?.attribute("offset") ?? "utc"
        var rtc: String
        switch offset {
        case "utc": rtc = "base=utc"
        case "localtime": rtc = "base=localtime"
        default: throw QemuCommandLine.unsupported("clock offset '\(offset)' is not supported by this driver")
        }
        var pitPolicy: String?
        for t in def.node.child("clock")?.children(named: "timer") ?? [] {
            let name = t.attribute("name") ?? ""
            let policy = t.attribute("tickpolicy")
            let present = t.attribute("present")
            switch name {
            case "rtc":
                guard t.attribute("track") == nil || t.attribute("track") == "guest" || t.attribute("track") == "wall" else {
                    throw QemuCommandLine.unsupported("unsupported rtc timer track '\(t.attribute("track") ?? "")'")
                }
                if t.attribute("track") == "wall" { rtc += ",clock=host" }
                switch policy {
                case nil, "delay": break
                case "catchup": rtc += ",driftfix=slew"
                default: throw QemuCommandLine.unsupported("unsupported rtc timer tickpolicy '\(policy ?? "")'")
                }
            case "pit":
                switch policy {
                case nil: break
                case "delay": pitPolicy = "delay"
                case "catchup": pitPolicy = "slew"
                case "discard": pitPolicy = "discard"
                default: throw QemuCommandLine.unsupported("unsupported pit tickpolicy '\(policy ?? "")'")
                }
            case "hpet":
                // present='no' is the machine's hpet=off (addMachine).
                guard policy == nil else { throw QemuCommandLine.unsupported("unsupported hpet timer tickpolicy '\(policy ?? "")'") }
            case "hypervclock":
                // hv-time in the CPU flags (hypervFlags).
                break
            case "kvmclock" where present == "yes" || present == nil:
                // QEMU's default with KVM; under TCG there is nothing to turn on.
                break
            default:
                throw QemuCommandLine.unsupported("timer '\(name)'\(present.map { " present='\($0)'" } ?? "") is not supported by this driver")
            }
        }
        add("-rtc", rtc)
        if let pitPolicy { add("-global", "kvm-pit.lost_tick_policy=\(pitPolicy)") }
    }

    /// `<pm><suspend-to-mem/disk enabled=...>`: S3 and S4 through the
    /// chipset's power-management device.
    ///
    /// libvirt: `qemuBuildPMCommandLine`.
    mutating func addPowerManagement() throws(VirError) {
        guard let pm = def.node.child("pm") else { return }
        let device = isQ35 ? "ICH9-LPC" : "PIIX4_PM"
        for e in pm.elements {
            let property: String
            switch e.name {
            case "suspend-to-mem": property = "disable_s3"
            case "suspend-to-disk": property = "disable_s4"
            default: throw QemuCommandLine.unsupported("power management setting '\(e.name)' is not supported by this driver")
            }
            switch e.attribute("enabled") {
            case "no"?: add("-global", "\(device).\(property)=1")
            case "yes"?: add("-global", "\(device).\(property)=0")
            default: break
            }
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
        // QEMU's default panic action shuts the guest down, which the
        // driver handles as on_poweroff's destroy.
        if def.onCrash != "destroy" {
            throw QemuCommandLine.unsupported("on_crash action '\(def.onCrash)' is not supported by this driver")
        }
    }

    mutating func addBoot() throws(VirError) {
        if let kernel = def.os.node.childText("kernel") {
            add("-kernel", kernel)
            if let initrd = def.os.node.childText("initrd") { add("-initrd", initrd) }
            if let cmdline = def.os.node.childText("cmdline") { add("-append", cmdline) }
        }
        // libvirt: `qemuBuildBootCommandLine` (menu and splash time).
        var boot = ""
        if let menu = def.os.node.child("bootmenu") {
            switch menu.attribute("enable") {
            case "yes"?:
                boot = "menu=on,"
                if let timeout = menu.attribute("timeout") {
                    guard let ms = UInt32(timeout), ms <= 65535 else {
                        throw VirError(.xmlError, "invalid value for boot menu timeout, must be in range [0,65535]")
                    }
                    boot += "splash-time=\(ms),"
                }
            case "no"?: boot = "menu=off,"
            default: throw VirError(.xmlError, "Invalid value for attribute 'enable' in element 'bootmenu'")
            }
        }
        add("-boot", boot + "strict=on")
    }

    /// The devices, in the order of libvirt's command line: controllers,
    /// disks, interfaces, character devices, inputs, audio, graphics,
    /// video, sound, watchdog, redirected USB, balloon, RNGs, panic.
    mutating func addDevices() throws(VirError) {
        try checkOtherDevices()
        try addControllers()
        try addDisks()
        try addInterfaces()
        try addCharacterDevices()
        var usb = USBPorts(def: def)
        try addInputs(&usb)
        try addAudio()
        try addGraphics()
        try addVideos()
        try addSounds()
        try addWatchdog()
        try addRedirdevs(&usb)
        addBalloon()
        try addRNGs()
        try addPanics()
    }

    /// Elements of `<devices>` the driver has no model for: refused, never
    /// dropped (the ones it models are checked where they are built).
    func checkOtherDevices() throws(VirError) {
        let modelled: Set<String> = ["emulator", "disk", "controller", "interface", "serial", "console", "channel",
                                     "input", "graphics", "sound", "video", "redirdev", "watchdog", "memballoon",
                                     "rng", "panic", "audio"]
        for e in devices.elements where !modelled.contains(e.name) {
            let type = e.attribute("type") ?? e.attribute("model") ?? e.child("model")?.attribute("type")
            throw QemuCommandLine.unsupported("\(e.name) device\(type.map { " '\($0)'" } ?? "") is not supported by this driver")
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
        // Letters only after the prefix (no partition number).
        guard dev.hasPrefix(prefix), dev.count > prefix.count,
              dev.unicodeScalars.dropFirst(prefix.count).allSatisfy({ $0.value >= 97 && $0.value <= 122 }) else { return nil }
        return DomainDef.diskNameIndex(dev)
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
