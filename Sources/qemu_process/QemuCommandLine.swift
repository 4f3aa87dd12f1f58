import Foundation
import domain_conf
import libvirt_abi

/// The QEMU command line of one instance, built from the domain model as an
/// argv array (never through a shell). What the driver cannot run yet makes
/// building fail with libvirt's "unsupported configuration" wording, naming
/// the device: nothing is silently dropped.
///
/// libvirt: `qemuBuildCommandLine` (src/qemu/qemu_command.c).
public struct QemuCommandLine: Sendable, Equatable {
    /// The arguments, `argv[0]` being the emulator.
    public var argv: [String]
    /// The character devices backed by a pty, whose path QEMU chooses: the
    /// driver reads them back with `query-chardev`.
    public var ptyDevices: [PtyDevice]

    public struct PtyDevice: Sendable, Equatable {
        /// `serial` or `console`.
        public var kind: String
        /// Index in `def.serials` / `def.consoles`.
        public var index: Int
        /// QEMU's chardev id (`charserial0`).
        public var chardevID: String

        public init(kind: String, index: Int, chardevID: String) {
            self.kind = kind
            self.index = index
            self.chardevID = chardevID
        }
    }

    /// How to start the instance.
    public struct Options: Sendable, Equatable {
        /// Wait for an incoming migration (`-incoming defer`).
        public var incoming: Bool
        /// The host can run KVM (checked by the caller; `type='kvm'` needs it).
        public var kvmAvailable: Bool

        public init(incoming: Bool = false, kvmAvailable: Bool) {
            self.incoming = incoming
            self.kvmAvailable = kvmAvailable
        }
    }

    /// The namespace of libvirt's QEMU-specific XML (`<qemu:commandline>`).
    public static let qemuNamespace = "http://libvirt.org/schemas/domain/qemu/1.0"

    /// The emulator when the XML names none.
    public static let defaultEmulator = "/usr/bin/qemu-system-x86_64"
    /// The id of the RAM backend: the name of the RAM block in the migration
    /// stream, so both ends must use the same one (libvirt uses `pc.ram`).
    public static let ramBackendID = "pc.ram"

    /// The emulator an instance of `def` runs.
    public static func emulator(for def: DomainDef) -> String {
        def.emulator ?? defaultEmulator
    }

    /// Builds the command line.
    ///
    /// - Parameters:
    ///   - ramFile: where guest RAM lives when the XML asks for shared
    ///     file-backed memory (the per-UUID path).
    public static func build(def: DomainDef, id: Int, paths: QemuInstancePaths, ramFile: String,
                             options: Options) throws(VirError) -> QemuCommandLine {
        var b = Builder(def: def, paths: paths)
        try b.checkArchitecture()
        b.add(emulator(for: def))
        b.add("-name", "guest=\(escape(def.name)),debug-threads=on")
        b.add("-S")
        b.add("-msg", "timestamp=on")
        try b.addMachine()
        try b.addAccelerator(kvmAvailable: options.kvmAvailable)
        try b.addCPU(kvm: def.virtType == "kvm")
        try b.addMemory(ramFile: ramFile)
        b.add("-overcommit", "mem-lock=off")
        b.add("-smp", "\(def.vcpus),sockets=\(def.vcpus),cores=1,threads=1")
        b.add("-uuid", def.uuid.description)
        b.add("-display", "none")
        b.add("-no-user-config")
        b.add("-nodefaults")
        b.add("-chardev", "socket,id=charmonitor,path=\(escape(paths.monitor)),server=on,wait=off")
        b.add("-mon", "chardev=charmonitor,id=monitor,mode=control")
        try b.addClock()
        try b.addLifecycle()
        try b.addBoot()
        try b.addDevices()
        b.add("-pidfile", paths.pidFile)
        if options.incoming { b.add("-incoming", "defer") }
        b.addPassthrough()
        return QemuCommandLine(argv: b.argv, ptyDevices: b.ptys)
    }

    /// QEMU's option syntax: a comma inside a value is written twice.
    ///
    /// libvirt: `virQEMUBuildBufferEscapeComma`.
    public static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: ",", with: ",,")
    }

    /// The `-device id=` of the PCI devices (libvirt's aliases): how
    /// `query-pci` names them back.
    public static func interfaceAlias(_ index: Int) -> String { "net\(index)" }
    public static func virtioDiskAlias(_ index: Int) -> String { "virtio-disk\(index)" }
    public static let balloonAlias = "balloon0"

    static func unsupported(_ what: String) -> VirError {
        VirError(.configUnsupported, what)
    }
}

/// Accumulates arguments; one method per part of the command line.
private struct Builder {
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

    private var devices: XMLElement { def.node.child("devices") ?? XMLElement("devices") }

    private var isQ35: Bool { (def.os.machine ?? "pc").contains("q35") }

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

    mutating func addDisks() throws(VirError) {
        var firstDiskBooted = false, firstCdromBooted = false
        for (i, disk) in def.disks.enumerated() {
            guard disk.type == .file || disk.type == .block else {
                throw QemuCommandLine.unsupported("disk type '\(disk.type.rawValue)' of disk '\(disk.targetDev)' is not supported by this driver")
            }
            guard disk.device == .disk || disk.device == .cdrom else {
                throw QemuCommandLine.unsupported("disk device '\(disk.device.rawValue)' of disk '\(disk.targetDev)' is not supported by this driver")
            }
            let format = disk.format ?? "raw"
            guard format == "raw" || format == "qcow2" else {
                throw QemuCommandLine.unsupported("disk format '\(format)' of disk '\(disk.targetDev)' is not supported by this driver")
            }
            let bus = disk.targetBus ?? (disk.targetDev.hasPrefix("vd") ? .virtio : disk.targetDev.hasPrefix("sd") ? (isQ35 ? .sata : .scsi) : .ide)
            let driveID = "drive-\(bus.rawValue)-disk\(i)"
            var drive = "if=none,id=\(driveID)"
            if let path = disk.sourcePath {
                drive = "file=\(QemuCommandLine.escape(path)),format=\(format)," + drive
            } else if disk.device != .cdrom {
                throw VirError(.noSource, disk.targetDev)
            }
            if disk.readonly || disk.device == .cdrom { drive += ",readonly=on" }
            add("-drive", drive)

            var boot = ""
            if disk.device == .disk, !firstDiskBooted, let b = bootIndex["hd"] { boot = ",bootindex=\(b)"; firstDiskBooted = true }
            if disk.device == .cdrom, !firstCdromBooted, let b = bootIndex["cdrom"] { boot = ",bootindex=\(b)"; firstCdromBooted = true }
            let ide = disk.device == .cdrom ? "ide-cd" : "ide-hd"
            switch bus {
            case .ide:
                guard !isQ35 else {
                    throw QemuCommandLine.unsupported("IDE controllers are unsupported for this QEMU binary or machine type")
                }
                guard let unit = Self.diskIndex(disk.targetDev, prefix: "hd"), unit < 4 else {
                    throw QemuCommandLine.unsupported("disk '\(disk.targetDev)' does not fit on the IDE bus (hda to hdd)")
                }
                add("-device", "\(ide),bus=ide.\(unit / 2),unit=\(unit % 2),drive=\(driveID),id=ide0-\(unit / 2)-\(unit % 2)\(boot)")
            case .sata:
                guard isQ35, let unit = Self.diskIndex(disk.targetDev, prefix: "sd"), unit < 6 else {
                    throw QemuCommandLine.unsupported("disk bus 'sata' of disk '\(disk.targetDev)' needs a q35 machine and sda to sdf")
                }
                add("-device", "\(ide),bus=ide.\(unit),drive=\(driveID),id=sata0-0-\(unit)\(boot)")
            case .virtio:
                guard disk.device == .disk else {
                    throw QemuCommandLine.unsupported("disk device 'cdrom' on bus 'virtio' is not supported")
                }
                add("-device", "virtio-blk-pci\(pciAddress(disk.address)),drive=\(driveID),id=\(QemuCommandLine.virtioDiskAlias(i))\(boot)")
            default:
                throw QemuCommandLine.unsupported("disk bus '\(bus.rawValue)' of disk '\(disk.targetDev)' is not supported by this driver")
            }
        }
    }

    mutating func addInterfaces() throws(VirError) {
        var firstNICBooted = false
        for (i, net) in def.interfaces.enumerated() {
            let netdev = "hostnet\(i)"
            switch net.type {
            case "user":
                add("-netdev", "user,id=\(netdev)")
            case "bridge":
                guard let bridge = net.source else {
                    throw VirError(.internalError, "missing bridge name for interface \(i)")
                }
                add("-netdev", "bridge,id=\(netdev),br=\(QemuCommandLine.escape(bridge))")
            default:
                throw QemuCommandLine.unsupported("interface type '\(net.type)' is not supported by this driver (type 'user' and 'bridge' are)")
            }
            let model = net.model ?? "rtl8139"
            let device: String
            switch model {
            case "virtio": device = "virtio-net-pci"
            case "e1000", "e1000e", "rtl8139": device = model
            default: throw QemuCommandLine.unsupported("network card model '\(model)' is not supported by this driver")
            }
            var boot = ""
            if !firstNICBooted, let b = bootIndex["network"] { boot = ",bootindex=\(b)"; firstNICBooted = true }
            add("-device", "\(device),netdev=\(netdev),id=\(QemuCommandLine.interfaceAlias(i)),mac=\(net.mac)\(pciAddress(net.address))\(boot)")
        }
    }

    mutating func addCharacterDevices() throws(VirError) {
        for (i, serial) in def.serials.enumerated() {
            let target = serial.targetType ?? "isa-serial"
            guard target == "isa-serial" || target == "serial" else {
                throw QemuCommandLine.unsupported("serial target type '\(target)' is not supported by this driver")
            }
            let id = "charserial\(i)"
            try addChardev(serial, id: id, kind: "serial", index: i)
            add("-device", "isa-serial,chardev=\(id),id=serial\(i),index=\(serial.targetPort ?? i)")
        }
        for (i, console) in def.consoles.enumerated() {
            // A serial console is the serial port with that number (libvirt
            // aliases console 0 to serial 0); nothing more to start.
            let port = console.targetPort ?? 0
            guard (console.targetType ?? "serial") == "serial",
                  def.serials.contains(where: { ($0.targetPort ?? 0) == port }) else {
                throw QemuCommandLine.unsupported("console \(i) of target type '\(console.targetType ?? "serial")' without a matching serial port is not supported by this driver")
            }
        }
    }

    mutating func addChardev(_ chr: DomainChrDef, id: String, kind: String, index: Int) throws(VirError) {
        switch chr.type {
        case .pty:
            add("-chardev", "pty,id=\(id)")
            ptys.append(.init(kind: kind, index: index, chardevID: id))
        case .null:
            add("-chardev", "null,id=\(id)")
        case .file:
            guard let path = chr.sourcePath else { throw VirError(.noSource, "\(kind)\(index)") }
            // Appending is the default here: a second instance of the domain
            // (a migration destination) must never truncate the file.
            let append = chr.sourceAppend ?? true
            add("-chardev", "file,id=\(id),path=\(QemuCommandLine.escape(path)),append=\(append ? "on" : "off")")
        case .unix:
            let listen = (chr.sourceMode ?? "bind") == "bind"
            let path = chr.sourcePath ?? paths.chardevSocket(alias: id)
            try QemuInstancePaths.checkSocketPath(path)
            add("-chardev", "socket,id=\(id),path=\(QemuCommandLine.escape(path))\(listen ? ",server=on,wait=off" : "")")
        default:
            throw QemuCommandLine.unsupported("character device type '\(chr.type.rawValue)' of \(kind) \(index) is not supported by this driver")
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
