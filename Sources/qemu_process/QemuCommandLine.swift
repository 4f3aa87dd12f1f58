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
    /// The sockets the driver chose for channels that name none (index in
    /// `def.channels` → path), for the live definition.
    public var channelSockets: [Int: String] = [:]

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
        /// The UNIX socket on which an incoming `cpr-transfer` migration
        /// receives its descriptors (a second `-incoming`, the `cpr`
        /// channel): QEMU reads them before it creates its monitor.
        public var cprChannel: String?
        /// The emulator can `cpr-transfer` (the mode and `aux-ram-share`):
        /// shared guest RAM gets its auxiliary RAM (ROMs, video RAM) shared
        /// too, so that it can hand all of it over. A running QEMU with
        /// `aux-ram-share=on` is therefore one that can.
        public var auxRamShare: Bool
        /// The host can run KVM (checked by the caller; `type='kvm'` needs it).
        public var kvmAvailable: Bool
        /// The TCP port of each `<graphics>` with autoport (index in
        /// `def.graphics` → port), allocated per instance by the caller.
        public var graphicsPorts: [Int: Int]
        /// The command line is only shown, not run (`domxml-to-native`):
        /// an autoport display gets the port libvirt shows then (5900 for
        /// VNC, 5901 for SPICE) instead of an allocated one.
        ///
        /// libvirt: `VIR_QEMU_PROCESS_START_PRETEND`.
        public var pretend: Bool
        /// The child's descriptor of each interface's tap device (index in
        /// `def.interfaces` → fd), created per instance by the caller.
        public var tapFDs: [Int: Int32]
        /// QEMU's seccomp filter (`-sandbox on,...`), as qemu.conf's
        /// `seccomp_sandbox` asks (on unless it says 0).
        public var sandbox: Bool

        public init(incoming: Bool = false, cprChannel: String? = nil, auxRamShare: Bool = false, kvmAvailable: Bool,
                    graphicsPorts: [Int: Int] = [:], pretend: Bool = false, tapFDs: [Int: Int32] = [:], sandbox: Bool = true) {
            self.sandbox = sandbox
            self.incoming = incoming
            self.cprChannel = cprChannel
            self.auxRamShare = auxRamShare
            self.kvmAvailable = kvmAvailable
            self.graphicsPorts = graphicsPorts
            self.pretend = pretend
            self.tapFDs = tapFDs
        }
    }

    /// The namespace of libvirt's QEMU-specific XML (`<qemu:commandline>`).
    public static let qemuNamespace = "http://libvirt.org/schemas/domain/qemu/1.0"

    /// The emulator when the XML names none.
    /// The Hyper-V enlightenments `<features><hyperv>` may name, in
    /// libvirt's order (`virDomainHyperv`).
    public static let hypervFeatures = ["relaxed", "vapic", "spinlocks", "vpindex", "runtime", "synic", "stimer", "reset",
                                        "vendor_id", "frequencies", "reenlightenment", "tlbflush", "ipi", "evmcs", "avic"]

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
        var b = QemuCommandLineBuilder(def: def, paths: paths, options: options)
        try b.checkArchitecture()
        b.add(emulator(for: def))
        b.add("-name", "guest=\(escape(def.name)),debug-threads=on")
        b.add("-S")
        b.add("-msg", "timestamp=on")
        b.addPflashBlockdevs()
        try b.addMachine()
        try b.addAccelerator(kvmAvailable: options.kvmAvailable)
        try b.addCPU(kvm: def.virtType == "kvm")
        b.addLoader()
        try b.addMemory(ramFile: ramFile)
        b.add("-overcommit", "mem-lock=off")
        try b.addSMP()
        b.add("-uuid", def.uuid.description)
        try b.addSMBIOS()
        if def.graphics.isEmpty { b.add("-display", "none") }
        b.add("-no-user-config")
        b.add("-nodefaults")
        b.add("-chardev", "socket,id=charmonitor,path=\(escape(paths.monitor)),server=on,wait=off")
        b.add("-mon", "chardev=charmonitor,id=monitor,mode=control")
        try b.addClock()
        try b.addLifecycle()
        try b.addPowerManagement()
        try b.addBoot()
        try b.addDevices()
        b.add("-pidfile", paths.pidFile)
        if options.incoming {
            if let cpr = options.cprChannel {
                b.add("-incoming", #"{"channel-type":"cpr","addr":{"transport":"socket","type":"unix","path":\#(QemuCommandLineBuilder.jsonString(cpr))}}"#)
            }
            b.add("-incoming", "defer")
        }
        if options.sandbox {
            // libvirt: qemuBuildSeccompSandboxCommandLine. A guest escape
            // into QEMU can then not run programs, raise its privileges,
            // change its scheduling or use obsolete system calls.
            b.add("-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny")
        }
        b.addPassthrough()
        // Last, so that the builders' own refusals, which say more, come first.
        try QemuDomainDefSupport.check(def)
        var cmd = QemuCommandLine(argv: b.argv, ptyDevices: b.ptys)
        cmd.channelSockets = b.channelSockets
        return cmd
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

    /// The QEMU device of a virtio disk for its `model` (`virtio`, the
    /// default; `virtio-transitional`, `virtio-non-transitional`); a model
    /// on another bus is refused.
    ///
    /// libvirt: `qemuBuildVirtioDevGetConfigDev` for disks, with the
    /// checks of `virDomainDiskDefValidate`.
    public static func virtioBlockDevice(_ disk: DomainDiskDef, bus: DomainDiskBus) throws(VirError) -> String {
        let model = disk.node.attribute("model") ?? "default"
        let devices = ["default": "virtio-blk-pci", "virtio": "virtio-blk-pci",
                       "virtio-transitional": "virtio-blk-pci-transitional", "virtio-non-transitional": "virtio-blk-pci-non-transitional"]
        guard let device = devices[model] else {
            throw VirError(.xmlError, "Invalid value for attribute 'model' in element 'disk': '\(model)'.")
        }
        if bus != .virtio && model != "default" {
            throw VirError(.configUnsupported, "disk model '\(model)' not supported for bus '\(bus.rawValue)'")
        }
        return device
    }

    /// The bus a disk sits on: its `<target bus>`, or what its name says
    /// (`vd*` virtio, `sd*` SATA on q35 and SCSI elsewhere, else IDE).
    public static func diskBus(_ disk: DomainDiskDef, q35: Bool) -> DomainDiskBus {
        disk.targetBus ?? (disk.targetDev.hasPrefix("vd") ? .virtio : disk.targetDev.hasPrefix("sd") ? (q35 ? .sata : .scsi) : .ide)
    }

    /// A disk's `-device id=`, from its target name as libvirt names it
    /// (`vdb` → `virtio-disk1`, `sdc` → `scsi0-0-0-2`), so that it stays the
    /// same whatever disks come and go around it; `nil` when the name does
    /// not fit its bus.
    ///
    /// libvirt: `qemuAssignDeviceDiskAlias`.
    public static func diskAlias(_ disk: DomainDiskDef, q35: Bool) -> String? {
        // A drive address names the disk by its place (libvirt:
        // qemuAssignDeviceDiskAlias).
        if let a = driveAddress(disk) {
            switch diskBus(disk, q35: q35) {
            case .scsi: return "scsi\(a.controller)-\(a.bus)-\(a.target)-\(a.unit)"
            case .sata: return "sata\(a.controller)-\(a.bus)-\(a.unit)"
            case .ide: return "ide\(a.controller)-\(a.bus)-\(a.unit)"
            default: break
            }
        }
        // virDiskNameParse: the index after any of the known prefixes.
        guard let index = ["xvd", "ubd", "hd", "sd", "vd"].lazy
            .compactMap({ QemuCommandLineBuilder.diskIndex(disk.targetDev, prefix: $0) }).first else { return nil }
        switch diskBus(disk, q35: q35) {
        case .virtio: return virtioDiskAlias(index)
        case .scsi: return "scsi0-0-0-\(index)"
        case .sata: return "sata0-0-\(index)"
        case .ide: return "ide0-\(index / 2)-\(index % 2)"
        default: return nil
        }
    }

    /// A disk's `<address type='drive' controller= bus= target= unit=>`
    /// (absent numbers are 0), when it has one.
    public static func driveAddress(_ disk: DomainDiskDef) -> (controller: Int, bus: Int, target: Int, unit: Int)? {
        guard let a = disk.node.child("address"), a.attribute("type") == "drive" else { return nil }
        func n(_ name: String) -> Int { a.attribute(name).flatMap { Int($0) } ?? 0 }
        return (n("controller"), n("bus"), n("target"), n("unit"))
    }

    /// The checks the command line makes of a disk, for one plugged into a
    /// running QEMU: what this driver runs of it, its `-drive` options
    /// (`,cache=none`...) and the properties of its `-device`
    /// (`,serial=...`), in the command line's syntax.
    public static func checkDisk(_ disk: DomainDiskDef) throws(VirError) -> (driveOptions: String, deviceProperties: String) {
        try QemuCommandLineBuilder.checkDisk(disk)
        return (try QemuCommandLineBuilder.driveOptions(disk), try QemuCommandLineBuilder.diskDeviceProperties(disk))
    }

    /// The block backend of a disk (`-drive id=`, a hot-plugged disk's
    /// node name): `drive-` and its alias, as libvirt named drives.
    public static func driveID(alias: String) -> String { "drive-" + alias }
    public static let balloonAlias = "balloon0"

    static func unsupported(_ what: String) -> VirError {
        VirError(.configUnsupported, what)
    }
}
