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
    enum Device {
        case interface(Int), disk(Int), memballoon
    }

    /// Assigns the addresses `def` lacks and checks those it has.
    public static func assign(_ def: inout DomainDef) throws(VirError) {
        guard let chipset = Chipset(machine: def.os.machine) else { return }
        let buses = try busModels(def, chipset)
        let maxIndex = buses.count - 1

        // libvirt's first pass (dryRun): how many pcie-root-ports to add.
        if chipset == .q35 {
            var dry = PCIAddressSet(buses: buses)
            try collect(def, chipset, &dry)
            try reserveChipset(&def, chipset, &dry, store: false)
            var added = 0
            for device in devices(def) where wanted(address(of: device, in: def)) {
                let connect = try self.connect(device, def, chipset)
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
        for c in def.controllers {
            guard let a = c.address?.pci else { continue }
            if chipset == .i440fx, isPIIX3Function(c, a) { continue }
            if chipset == .q35, c.type == .sata, (c.index ?? 0) == 0, a == primarySATA { continue }
            try set.reserve(a, c.type == .pci ? .rootPort : .pciDevice, fromConfig: true)
        }
        for device in devices(def) {
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
    }

    /// libvirt: `qemuDomainValidateDevicePCISlotsQ35` (the parts without
    /// USB2 companions and ICH9 audio, which this driver does not run).
    static func reserveICH9(_ def: inout DomainDef, _ set: inout PCIAddressSet) throws(VirError) {
        for i in def.controllers.indices where def.controllers[i].type == .sata && (def.controllers[i].index ?? 0) == 0 {
            if let a = def.controllers[i].address?.pci, a != primarySATA {
                throw VirError(.internalError, "Primary SATA controller must have PCI address 0:0:1f.2")
            }
            def.controllers[i].address = .pci(primarySATA)
        }
        // The LPC bridge at 1f.0 (multifunction), SATA at 1f.2, SMBus at 1f.3.
        for f: UInt32 in [0, 2, 3] {
            try set.reserve(PCIDeviceAddress(slot: 0x1f, function: f), .pciDevice, fromConfig: true)
        }
    }

    // MARK: devices

    /// The PCI devices in libvirt's order: interfaces, virtio disks, the
    /// virtio balloon.
    static func devices(_ def: DomainDef) -> [Device] {
        var out: [Device] = def.interfaces.indices.filter { def.interfaces[$0].type != "hostdev" }.map(Device.interface)
        out += def.disks.indices.filter { isVirtio(def.disks[$0]) }.map(Device.disk)
        if let b = def.memballoon, b.model != "none", b.model != "xen" { out.append(.memballoon) }
        return out
    }

    static func address(of device: Device, in def: DomainDef) -> DomainDeviceAddress? {
        switch device {
        case .interface(let i): return def.interfaces[i].address
        case .disk(let i): return def.disks[i].address
        case .memballoon: return def.memballoon?.address
        }
    }

    static func setAddress(_ a: DomainDeviceAddress, of device: Device, in def: inout DomainDef) {
        switch device {
        case .interface(let i): def.interfaces[i].address = a
        case .disk(let i): def.disks[i].address = a
        case .memballoon:
            if var b = def.memballoon {
                b.address = a
                def.memballoon = b
            }
        }
    }

    static func describe(_ device: Device, in def: DomainDef) -> String {
        switch device {
        case .interface(let i): return "interface with MAC \(def.interfaces[i].mac)"
        case .disk(let i): return "disk '\(def.disks[i].targetDev)'"
        case .memballoon: return "memballoon"
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
        }
        switch model {
        case "virtio", "virtio-non-transitional", "e1000e": return .pcieDevice
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
        var all: [PCIDeviceAddress] = def.controllers.compactMap { $0.address?.pci } + def.disks.compactMap { $0.address?.pci }
        all += def.interfaces.compactMap { $0.address?.pci }
        if let a = def.memballoon?.address?.pci { all.append(a) }
        func shared(_ a: PCIDeviceAddress) -> Bool {
            a.function == 0 && a.multifunction == nil
                && all.contains { $0.domain == a.domain && $0.bus == a.bus && $0.slot == a.slot && $0.function != 0 }
        }
        func fix(_ address: inout DomainDeviceAddress?) {
            guard case .pci(var a)? = address, !a.isEmpty, shared(a) else { return }
            a.multifunction = true
            address = .pci(a)
        }
        for i in def.controllers.indices { fix(&def.controllers[i].address) }
        for i in def.disks.indices { fix(&def.disks[i].address) }
        for i in def.interfaces.indices { fix(&def.interfaces[i].address) }
        if var balloon = def.memballoon {
            fix(&balloon.address)
            def.memballoon = balloon
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
