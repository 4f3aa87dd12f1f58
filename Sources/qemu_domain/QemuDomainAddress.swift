import domain_conf
import libvirt_abi
import qemu_monitor
import qemu_process

/// PCI addresses for every PCI device of a definition, assigned once (at
/// define, at create, for a migration's destination) and kept in the XML,
/// so that the command line places each device (`bus=pci.0,addr=0x3`) and
/// another QEMU version lays the guest out identically.
///
/// libvirt: `qemuDomainAssignAddresses` → `qemuDomainAssignPCIAddresses`
/// (src/qemu/qemu_domain_address.c) over `virDomainPCIAddressSet`
/// (src/conf/domain_addr.c), for the devices and buses this driver runs:
///
/// - addresses already in the XML are reserved first, refused when used
///   twice or out of range (`qemuDomainCollectPCIAddress`);
/// - the chipset's own functions: on i440fx the PIIX3 at slot 1 (ISA 1.0,
///   primary IDE 1.1, USB 1.2, ACPI/PM 1.3); on q35 the ICH9 at slot 0x1f
///   (LPC 1f.0, primary SATA 1f.2, SMBus 1f.3)
///   (`qemuDomainValidateDevicePCISlotsPIIX3`/`...Q35`);
/// - then, in libvirt's order (`qemuDomainAssignDevicePCISlots`): PCI
///   controllers, network interfaces, virtio disks, the virtio memballoon,
///   each in the first free slot that takes it.
///
/// On i440fx every device is a conventional PCI device on `pci.0`. With no
/// video device (the only video this driver runs is `model type='none'`)
/// libvirt 9.0 reserves nothing at slot 2, so the first device gets 0x02
/// (tests/qemuxml2xmloutdata/net-virtio.xml).
///
/// On q35 pcie-root takes no endpoint automatically: as libvirt does, each
/// PCI Express device (virtio, e1000e) gets a `pcie-root-port` of its own,
/// added to the definition, plus one spare for a later device when the
/// XML had no PCI controller of its own; the root ports share slot 1 of
/// pcie-root, function by function (tests/qemuxml2xmloutdata/
/// x86_64-q35-headless.x86_64-latest.xml). A conventional PCI device
/// (e1000, rtl8139) would need a pcie-to-pci-bridge, which this driver does
/// not run: it is refused unless the XML gives it an address.
public enum QemuDomainAddress {
    /// The machine's PCI root, when it has one this driver knows.
    public enum Chipset: Sendable, Equatable {
        /// `pc-i440fx-*` (and `pc`): `pci-root`, bus `pci.0`.
        case i440fx
        /// `pc-q35-*` (and `q35`): `pcie-root`, bus `pcie.0`.
        case q35

        public init?(machine: String?) {
            let m = machine ?? "pc"
            if m == "q35" || m.hasPrefix("pc-q35-") {
                self = .q35
            } else if m == "pc" || m.hasPrefix("pc-i440fx-") || (m.hasPrefix("pc-") && !m.contains("q35")) {
                self = .i440fx
            } else {
                return nil
            }
        }

        /// QEMU's id of the root bus. libvirt: the alias of controller
        /// `pci` index 0 (`qemuAssignDeviceControllerAlias`).
        public var rootBusName: String {
            switch self {
            case .i440fx: return "pci.0"
            case .q35: return "pcie.0"
            }
        }

        var rootModel: PCIAddressSet.BusModel { self == .i440fx ? .pciRoot : .pcieRoot }
    }

    /// A PCI device of the definition, for the loops that place them.
    enum Device: Equatable {
        case interface(Int), sound(Int), controller(Int), disk(Int), memballoon, rng(Int), watchdog, video(Int),
             input(Int)
    }

    /// Assigns the addresses `def` lacks and checks those it has.
    public static func assign(_ def: inout DomainDef) throws(VirError) {
        guard let chipset = Chipset(machine: def.os.machine) else { return }
        let buses = try busModels(def, chipset)
        let maxIndex = buses.count - 1

        // libvirt's first pass (dryRun): how many pcie-root-ports to add.
        if chipset == .q35 {
            var dry = PCIAddressSet(buses: buses)
            var dryDef = def
            try collect(dryDef, chipset, &dry)
            try reserveChipset(&dryDef, chipset, &dry, store: true)
            var added = 0
            for device in devices(dryDef) where wanted(address(of: device, in: dryDef)) {
                if usb2Sibling(device, dryDef) != nil { continue }
                let connect = try self.connect(device, dryDef, chipset)
                if dry.next(connect) == nil {
                    dry.addBus(.pcieRootPort)
                    added += 1
                }
                _ = try dry.reserveNext(connect)
            }
            // One spare root port for a later device, when libvirt manages
            // the controllers (none beyond pcie-root in the XML).
            if added > 0, maxIndex <= 0, dry.next(.pcieDevice) == nil { added += 1 }
            if added > 0 { addRootPorts(&def, count: added, firstIndex: buses.count) }
        }

        var set = PCIAddressSet(buses: try busModels(def, chipset))
        try collect(def, chipset, &set)
        try reserveChipset(&def, chipset, &set, store: true)

        // qemuDomainAssignDevicePCISlots, in its order: PCI controllers
        // first (the root ports, sharing a slot of pcie-root).
        for i in def.controllers.indices where def.controllers[i].type == .pci && (def.controllers[i].index ?? 0) > 0
            && wanted(def.controllers[i].address) {
            def.controllers[i].address = .pci(try set.reserveNext(.rootPort))
        }
        for device in devices(def) {
            let address = self.address(of: device, in: def)
            if address?.pci != nil { continue }
            if case .disk = device, !wanted(address) {
                throw VirError(.configUnsupported, "virtio disk cannot have an address of type '\(address?.typeName ?? "none")'")
            }
            guard wanted(address) else { continue }
            if case .controller(let i) = device, let function = usb2Function(def.controllers[i].model) {
                // USB2 companions share one slot (function 7 the EHCI,
                // 0-2 the UHCIs): the slot of a sibling already placed,
                // else a free one.
                var a: PCIDeviceAddress
                if let sibling = usb2Sibling(device, def) {
                    a = sibling
                    a.function = function
                    try set.reserve(a, .pciDevice, fromConfig: true)
                } else {
                    guard let free = set.next(try self.connect(device, def, chipset)) else {
                        throw VirError(.internalError, "No more available PCI slots", domain: .domain)
                    }
                    a = free
                    a.function = function
                    try set.reserve(a, try self.connect(device, def, chipset), fromConfig: false)
                }
                a.multifunction = function == 0 ? true : nil
                def.controllers[i].address = .pci(a)
                continue
            }
            let connect = try self.connect(device, def, chipset)
            guard set.next(connect) != nil else {
                throw VirError(.internalError, "No more available PCI slots", domain: .domain)
            }
            setAddress(.pci(try set.reserveNext(connect)), of: device, in: &def)
        }
        setAllMulti(&def)
        setRootPortOptions(&def)
    }

    // MARK: buses

    /// The buses the definition's PCI controllers make, by index: the
    /// implicit root (index 0) and the `pcie-root-port`s of a q35 machine.
    static func busModels(_ def: DomainDef, _ chipset: Chipset) throws(VirError) -> [PCIAddressSet.BusModel] {
        var byIndex: [Int: PCIAddressSet.BusModel] = [0: chipset.rootModel]
        for c in def.controllers where c.type == .pci {
            let index = c.index ?? 0
            let model: PCIAddressSet.BusModel
            let root = chipset == .i440fx ? "pci-root" : "pcie-root"
            if index == 0 && (c.model ?? root) == root {
                model = chipset.rootModel
            } else if chipset == .q35, index > 0, c.model == "pcie-root-port", (c.modelName ?? "pcie-root-port") == "pcie-root-port" {
                model = .pcieRootPort
            } else {
                throw VirError(.configUnsupported, "PCI controller model '\(c.modelName ?? c.model ?? "")' with index \(index) is not supported by this driver on a \(chipset == .q35 ? "q35" : "i440fx") machine")
            }
            byIndex[index] = model
        }
        let maxIndex = byIndex.keys.max() ?? 0
        var models: [PCIAddressSet.BusModel] = []
        for i in 0...maxIndex {
            guard let m = byIndex[i] else {
                throw VirError(.configUnsupported, "PCI controller index \(i) is missing: this driver adds none between the ones the XML gives")
            }
            models.append(m)
        }
        return models
    }

    /// New `pcie-root-port` controllers, after the definition's last PCI
    /// controller (libvirt: `virDomainDefMaybeAddController`).
    static func addRootPorts(_ def: inout DomainDef, count: Int, firstIndex: Int) {
        let ports = (0..<count).map { n -> DomainControllerDef in
            var c = DomainControllerDef(type: .pci, index: firstIndex + n, model: "pcie-root-port")
            c.modelName = "pcie-root-port"
            return c
        }
        let at = (def.controllers.lastIndex { $0.type == .pci }).map { $0 + 1 } ?? def.controllers.count
        def.controllers.insert(contentsOf: ports, at: at)
    }

    /// A root port's `<target chassis= port=>` when the XML has none: the
    /// controller's index, and slot << 3 + function of its address.
    static func setRootPortOptions(_ def: inout DomainDef) {
        for i in def.controllers.indices where def.controllers[i].model == "pcie-root-port" {
            if def.controllers[i].targetChassis == nil { def.controllers[i].targetChassis = UInt32(def.controllers[i].index ?? 0) }
            if def.controllers[i].targetPort == nil, let a = def.controllers[i].address?.pci {
                def.controllers[i].targetPort = (a.slot << 3) + a.function
            }
            if def.controllers[i].modelName == nil { def.controllers[i].modelName = "pcie-root-port" }
        }
    }

    // MARK: the chipsets

    static let primaryIDE = PCIDeviceAddress(slot: 1, function: 1)
    static let piix3USB = PCIDeviceAddress(slot: 1, function: 2)
    static let primarySATA = PCIDeviceAddress(slot: 0x1f, function: 2)

    static func isPIIX3Function(_ c: DomainControllerDef, _ a: PCIDeviceAddress) -> Bool {
        guard (c.index ?? 0) == 0, a.domain == 0, a.bus == 0, a.slot == 1 else { return false }
        return (c.type == .ide && a.function == 1) || (c.type == .usb && isPIIX3USBModel(c.model) && a.function == 2)
    }

    static func isPIIX3USBModel(_ model: String?) -> Bool { model == nil || model == "piix3-uhci" }

    /// Addresses from the XML. libvirt: `qemuDomainCollectPCIAddress`
    /// (the integrated PIIX3 IDE/USB and ICH9 SATA functions are reserved
    /// with the chipset).
    static func collect(_ def: DomainDef, _ chipset: Chipset, _ set: inout PCIAddressSet) throws(VirError) {
        for (i, c) in def.controllers.enumerated() {
            guard let a = c.address?.pci else { continue }
            if chipset == .i440fx, isPIIX3Function(c, a) { continue }
            if chipset == .q35, c.type == .sata, (c.index ?? 0) == 0, a == primarySATA { continue }
            if c.type != .pci, let f = usb2Function(c.model), f != 0 {
                // A companion shares the slot its UHCI1 took.
                try set.reserve(a, .pciDevice, fromConfig: true)
                continue
            }
            try set.reserve(a, c.type == .pci ? .rootPort : ((try? connect(.controller(i), def, chipset)) ?? .pciDevice), fromConfig: true)
        }
        for device in devices(def) {
            if case .controller = device { continue }
            guard let a = address(of: device, in: def)?.pci else { continue }
            try set.reserve(a, (try? connect(device, def, chipset)) ?? .pciDevice, fromConfig: true)
        }
        for c in def.serials + def.consoles { if let a = c.address?.pci { try set.reserve(a, .pciDevice, fromConfig: true) } }
    }

    static func reserveChipset(_ def: inout DomainDef, _ chipset: Chipset, _ set: inout PCIAddressSet,
                               store: Bool) throws(VirError) {
        var copy = def
        switch chipset {
        case .i440fx: try reservePIIX3(&copy, &set)
        case .q35: try reserveICH9(&copy, &set)
        }
        if store { def = copy }
    }

    /// libvirt: `qemuDomainValidateDevicePCISlotsPIIX3`.
    static func reservePIIX3(_ def: inout DomainDef, _ set: inout PCIAddressSet) throws(VirError) {
        for i in def.controllers.indices where (def.controllers[i].index ?? 0) == 0 {
            let c = def.controllers[i]
            let fixed: PCIDeviceAddress
            if c.type == .ide {
                fixed = primaryIDE
                if let a = c.address?.pci, a != fixed {
                    throw VirError(.internalError, "Primary IDE controller must have PCI address 0:0:1.1")
                }
            } else if c.type == .usb && isPIIX3USBModel(c.model) {
                fixed = piix3USB
                if let a = c.address?.pci, a != fixed {
                    throw VirError(.internalError, "PIIX3 USB controller at index 0 must have PCI address 0:0:1.2")
                }
            } else {
                continue
            }
            if c.address?.pci == nil { def.controllers[i].address = .pci(fixed) }
            try set.reserve(fixed, .pciDevice, fromConfig: true)
        }
        // The ISA bridge at 1.0 and the ACPI/PM function at 1.3.
        try set.reserve(PCIDeviceAddress(slot: 1, function: 0), .pciDevice, fromConfig: true)
        try set.reserve(PCIDeviceAddress(slot: 1, function: 3), .pciDevice, fromConfig: true)
        // QEMU puts the first VGA device after the PIIX3, in slot 2.
        try reservePrimaryVideo(&def, &set, slot: 2)
    }

    /// The primary video device at its chipset's slot when that is free,
    /// else the first free one.
    static func reservePrimaryVideo(_ def: inout DomainDef, _ set: inout PCIAddressSet, slot: UInt32) throws(VirError) {
        guard let primary = def.videos.first, primary.isPCI, wanted(primary.address) else { return }
        let a = PCIDeviceAddress(slot: slot)
        if set.slotInUse(a) {
            def.videos[0].address = .pci(try set.reserveNext(.pciDevice))
        } else {
            try set.reserve(a, .pciDevice, fromConfig: true)
            def.videos[0].address = .pci(a)
        }
    }

    /// libvirt: `qemuDomainValidateDevicePCISlotsQ35` (without the
    /// dmi-to-pci-bridge, which this driver does not run).
    static func reserveICH9(_ def: inout DomainDef, _ set: inout PCIAddressSet) throws(VirError) {
        for i in def.controllers.indices where def.controllers[i].type == .sata && (def.controllers[i].index ?? 0) == 0 {
            if let a = def.controllers[i].address?.pci, a != primarySATA {
                throw VirError(.internalError, "Primary SATA controller must have PCI address 0:0:1f.2")
            }
            def.controllers[i].address = .pci(primarySATA)
        }
        // The first USB2 UHCI at 1d.0 (else 1a.0), where real Q35 boards
        // have it; its companions join it later.
        for i in def.controllers.indices where def.controllers[i].type == .usb
            && def.controllers[i].model == "ich9-uhci1" && def.controllers[i].address == nil {
            for slot: UInt32 in [0x1d, 0x1a] where !set.slotInUse(PCIDeviceAddress(slot: slot)) {
                let a = PCIDeviceAddress(slot: slot, function: 0, multifunction: true)
                try set.reserve(a, .pciDevice, fromConfig: true)
                def.controllers[i].address = .pci(a)
                break
            }
        }
        // The LPC bridge at 1f.0 (multifunction), SATA at 1f.2, SMBus at 1f.3.
        for f: UInt32 in [0, 2, 3] {
            try set.reserve(PCIDeviceAddress(slot: 0x1f, function: f), .pciDevice, fromConfig: true)
        }
        // The first VGA device in slot 1 (the PIIX3's slot on i440fx).
        try reservePrimaryVideo(&def, &set, slot: 1)
        // An ICH9 HD audio device at 1b.0, as on real Q35 boards.
        let audio = PCIDeviceAddress(slot: 0x1b)
        if !set.slotInUse(audio), let i = def.sounds.firstIndex(where: { $0.model == .ich9 && wanted($0.address) }) {
            try set.reserve(audio, .pciDevice, fromConfig: true)
            def.sounds[i].address = .pci(audio)
        }
    }

    // MARK: devices

    /// The PCI devices in libvirt's order: interfaces, sound cards, the
    /// controllers that are PCI devices, virtio disks, the virtio balloon,
    /// RNGs, the watchdog, video devices, virtio inputs.
    static func devices(_ def: DomainDef) -> [Device] {
        var out: [Device] = def.interfaces.indices.filter { def.interfaces[$0].type != "hostdev" }.map(Device.interface)
        out += def.sounds.indices.filter { def.sounds[$0].isPCI }.map(Device.sound)
        out += def.controllers.indices.filter { isPCIEndpoint(def.controllers[$0]) }.map(Device.controller)
        out += def.disks.indices.filter { isVirtio(def.disks[$0]) }.map(Device.disk)
        if let b = def.memballoon, b.model != "none", b.model != "xen" { out.append(.memballoon) }
        out += def.rngs.indices.map(Device.rng)
        if def.watchdog?.model == .i6300esb { out.append(.watchdog) }
        out += def.videos.indices.filter { def.videos[$0].isPCI }.map(Device.video)
        out += def.inputs.indices.filter { def.inputs[$0].effectiveBus == .virtio }.map(Device.input)
        return out
    }

    /// A controller that is itself a PCI device: USB (but `none`), SCSI
    /// (but the built-in ones), SATA and IDE beyond the chipset's own,
    /// virtio-serial. libvirt: the controller loop of
    /// `qemuDomainAssignDevicePCISlots`.
    static func isPCIEndpoint(_ c: DomainControllerDef) -> Bool {
        switch c.type {
        case .usb: return c.model != "none"
        case .scsi: return c.model != "ncr53c90"
        case .sata, .virtioSerial: return true
        case .ide: return (c.index ?? 0) != 0
        case .pci, .fdc, .ccid, .xenbus, .isa: return false
        }
    }

    /// The function of a USB2 EHCI or UHCI companion in its shared slot.
    static func usb2Function(_ model: String?) -> UInt32? {
        switch model {
        case "ich9-ehci1": return 7
        case "ich9-uhci1": return 0
        case "ich9-uhci2": return 1
        case "ich9-uhci3": return 2
        default: return nil
        }
    }

    /// The address of a USB2 companion of the same index already placed.
    static func usb2Sibling(_ device: Device, _ def: DomainDef) -> PCIDeviceAddress? {
        guard case .controller(let i) = device, usb2Function(def.controllers[i].model) != nil else { return nil }
        let index = def.controllers[i].index ?? 0
        return def.controllers.first {
            $0.type == .usb && usb2Function($0.model) != nil && ($0.index ?? 0) == index && $0.address?.pci != nil
        }?.address?.pci
    }

    static func address(of device: Device, in def: DomainDef) -> DomainDeviceAddress? {
        switch device {
        case .interface(let i): return def.interfaces[i].address
        case .sound(let i): return def.sounds[i].address
        case .controller(let i): return def.controllers[i].address
        case .disk(let i): return def.disks[i].address
        case .memballoon: return def.memballoon?.address
        case .rng(let i): return def.rngs[i].address
        case .watchdog: return def.watchdog?.address
        case .video(let i): return def.videos[i].address
        case .input(let i): return def.inputs[i].address
        }
    }

    static func setAddress(_ a: DomainDeviceAddress, of device: Device, in def: inout DomainDef) {
        switch device {
        case .interface(let i): def.interfaces[i].address = a
        case .sound(let i): def.sounds[i].address = a
        case .controller(let i): def.controllers[i].address = a
        case .disk(let i): def.disks[i].address = a
        case .memballoon:
            if var b = def.memballoon {
                b.address = a
                def.memballoon = b
            }
        case .rng(let i): def.rngs[i].address = a
        case .watchdog:
            if var w = def.watchdog {
                w.address = a
                def.watchdog = w
            }
        case .video(let i): def.videos[i].address = a
        case .input(let i): def.inputs[i].address = a
        }
    }

    static func describe(_ device: Device, in def: DomainDef) -> String {
        switch device {
        case .interface(let i): return "interface with MAC \(def.interfaces[i].mac)"
        case .sound(let i): return "sound device '\(def.sounds[i].model.rawValue)'"
        case .controller(let i):
            let c = def.controllers[i]
            return "controller '\(c.type.rawValue)'\(c.model.map { " model '\($0)'" } ?? "") index \(c.index ?? 0)"
        case .disk(let i): return "disk '\(def.disks[i].targetDev)'"
        case .memballoon: return "memballoon"
        case .rng(let i): return "rng \(i)"
        case .watchdog: return "watchdog"
        case .video(let i): return "video device '\(def.videos[i].model.rawValue)'"
        case .input(let i): return "input device '\(def.inputs[i].type.rawValue)'"
        }
    }

    /// What the device plugs into. libvirt:
    /// `qemuDomainDeviceCalculatePCIConnectFlags` (virtio devices and
    /// e1000e are PCI Express on q35; e1000, rtl8139 and the
    /// `virtio-transitional` models conventional PCI).
    static func connect(_ device: Device, _ def: DomainDef, _ chipset: Chipset) throws(VirError) -> PCIAddressSet.Connect {
        guard chipset == .q35 else { return .pciDevice }
        let model: String
        switch device {
        case .interface(let i): model = def.interfaces[i].model ?? "rtl8139"
        case .disk(let i): model = def.disks[i].node.attribute("model") ?? "virtio"
        case .memballoon: model = def.memballoon?.model ?? "virtio"
        case .sound(let i): model = def.sounds[i].model.rawValue
        case .controller(let i):
            let c = def.controllers[i]
            switch c.type {
            case .usb: model = c.model ?? "piix3-uhci"
            case .scsi: model = c.model.map { $0 == "virtio-scsi" ? "virtio" : $0 } ?? "lsilogic"
            case .virtioSerial: model = c.model ?? "virtio"
            default: model = c.type.rawValue
            }
        case .rng(let i): model = def.rngs[i].model.rawValue
        case .watchdog: model = def.watchdog?.model.rawValue ?? "i6300esb"
        case .video(let i): model = def.videos[i].model.rawValue
        case .input(let i): model = def.inputs[i].effectiveBus == .virtio ? "virtio" : "input"
        }
        switch model {
        case "virtio", "virtio-non-transitional", "e1000e", "qemu-xhci", "nec-xhci": return .pcieDevice
        default:
            if wanted(address(of: device, in: def)) {
                throw VirError(.configUnsupported, "\(describe(device, in: def)) (model '\(model)') is a conventional PCI device: on a q35 machine libvirt plugs it into a pcie-to-pci-bridge, which this driver does not support; give it an address, e.g. on pcie.0: <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>")
            }
            return .pciDevice
        }
    }

    /// No address, or `<address type='pci'/>` with no slot.
    /// libvirt: `virDeviceInfoPCIAddressIsWanted`.
    static func wanted(_ address: DomainDeviceAddress?) -> Bool {
        switch address {
        case nil: return true
        case .pci(let a)?: return a.isEmpty
        case .other?: return false
        }
    }

    /// The disk's bus as the command line takes it (`vd*` is virtio when the
    /// XML names none, libvirt's `virDomainDiskGetDefaultBus` by prefix).
    static func isVirtio(_ disk: DomainDiskDef) -> Bool {
        (disk.targetBus ?? (disk.targetDev.hasPrefix("vd") ? .virtio : nil)) == .virtio
    }

    /// `multifunction='on'` on function 0 of a slot that other devices of
    /// the definition share. libvirt: `virDomainPCIAddressSetAllMulti`.
    static func setAllMulti(_ def: inout DomainDef) {
        var all: [PCIDeviceAddress] = def.controllers.compactMap { $0.address?.pci }
        for device in devices(def) { if let a = address(of: device, in: def)?.pci { all.append(a) } }
        func shared(_ a: PCIDeviceAddress) -> Bool {
            a.function == 0 && a.multifunction == nil
                && all.contains { $0.domain == a.domain && $0.bus == a.bus && $0.slot == a.slot && $0.function != 0 }
        }
        func fix(_ address: inout DomainDeviceAddress?) {
            guard case .pci(var a)? = address, !a.isEmpty, shared(a) else { return }
            a.multifunction = true
            address = .pci(a)
        }
        for i in def.controllers.indices where def.controllers[i].type == .pci { fix(&def.controllers[i].address) }
        for device in devices(def) {
            var a = address(of: device, in: def)
            fix(&a)
            if let a { setAddress(a, of: device, in: &def) }
        }
    }

    // MARK: guests placed by QEMU

    /// Whether a running instance's QEMU chose where its PCI devices are:
    /// a PCI device of its live definition has no address (it was started
    /// before this driver assigned them).
    public static func placedByQemu(_ def: DomainDef) -> Bool {
        guard Chipset(machine: def.os.machine) != nil else { return false }
        return devices(def).contains { wanted(address(of: $0, in: def)) }
    }

    /// Records in a running instance's live definition where its QEMU put
    /// the PCI devices it was given without an address (`query-pci`, by
    /// `-device id=`), so that the instance's next QEMU (a local
    /// migration's destination) is told the same places. All or nothing:
    /// a device QEMU does not list leaves the definition as it was.
    ///
    /// - Returns: whether the definition changed.
    @discardableResult
    public static func adopt(_ def: inout DomainDef, placements: [QemuMonitorPCIDevice]) -> Bool {
        guard Chipset(machine: def.os.machine) != nil, placedByQemu(def) else { return false }
        var copy = def
        for device in devices(def) where wanted(address(of: device, in: def)) {
            let alias: String
            switch device {
            case .interface(let i): alias = QemuCommandLine.interfaceAlias(i)
            case .disk(let i): alias = QemuCommandLine.virtioDiskAlias(i)
            case .memballoon: alias = QemuCommandLine.balloonAlias
            // Guests whose QEMU placed their devices were started before
            // this driver ran any of the others.
            case .sound, .controller, .rng, .watchdog, .video, .input: return false
            }
            guard let p = placements.first(where: { $0.qdevID == alias && $0.bus == 0 }),
                  let slot = UInt32(exactly: p.slot), let function = UInt32(exactly: p.function),
                  slot <= PCIDeviceAddress.slotLast, function <= PCIDeviceAddress.functionLast else { return false }
            setAddress(.pci(PCIDeviceAddress(slot: slot, function: function)), of: device, in: &copy)
        }
        def = copy
        return true
    }
}
