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
/// (src/conf/domain_addr.c), for the devices this driver runs:
///
/// - addresses already in the XML are reserved first, refused when used
///   twice or out of range (`qemuDomainCollectPCIAddress`);
/// - the chipset's own functions: on i440fx the PIIX3 at slot 1 (ISA 1.0,
///   primary IDE 1.1, USB 1.2, ACPI/PM 1.3); on q35 the ICH9 at slot 0x1f
///   (LPC 1f.0, primary SATA 1f.2, SMBus 1f.3)
///   (`qemuDomainValidateDevicePCISlotsPIIX3`/`...Q35`);
/// - then the first free slot, function 0, for each device without an
///   address, in libvirt's order: network interfaces, virtio disks, the
///   virtio memballoon (`qemuDomainAssignDevicePCISlots`).
///
/// With no video device (the only video this driver runs is
/// `model type='none'`) libvirt 9.0 reserves nothing at slot 2, so the
/// first device gets 0x02 (tests/qemuxml2xmloutdata/net-virtio.xml).
///
/// Only bus 0 exists (the machine's root bus, implicit as libvirt's
/// `pci-root`/`pcie-root` controller with index 0): this driver runs no
/// PCI bridges. On q35 libvirt puts each device behind an auto-added
/// `pcie-root-port`, which this driver does not run yet, so a q35 PCI
/// device without an address is refused; one with an address on bus 0
/// (an integrated endpoint on `pcie.0`, which libvirt accepts when the
/// address comes from the XML) is kept.
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
    }

    /// Assigns the addresses `def` lacks and checks those it has.
    public static func assign(_ def: inout DomainDef) throws(VirError) {
        guard let chipset = Chipset(machine: def.os.machine) else { return }
        var set = PCIAddressSet()

        // Addresses from the XML (qemuDomainCollectPCIAddress): the
        // integrated PIIX3 IDE/USB functions are reserved with the chipset.
        for c in def.controllers {
            guard let a = c.address?.pci else { continue }
            if chipset == .i440fx, isPIIX3Function(c, a) { continue }
            if chipset == .q35, c.type == .sata, (c.index ?? 0) == 0, a == primarySATA { continue }
            try set.reserve(a, fromConfig: true)
        }
        for d in def.disks { if let a = d.address?.pci { try set.reserve(a, fromConfig: true) } }
        for n in def.interfaces { if let a = n.address?.pci { try set.reserve(a, fromConfig: true) } }
        for c in def.serials + def.consoles { if let a = c.address?.pci { try set.reserve(a, fromConfig: true) } }
        if let a = def.memballoon?.address?.pci { try set.reserve(a, fromConfig: true) }

        switch chipset {
        case .i440fx: try reservePIIX3(&def, &set)
        case .q35: try reserveICH9(&def, &set)
        }

        // qemuDomainAssignDevicePCISlots, in its order.
        for i in def.interfaces.indices where def.interfaces[i].type != "hostdev" && wanted(def.interfaces[i].address) {
            def.interfaces[i].address = .pci(try next(&set, chipset, "interface with MAC \(def.interfaces[i].mac)"))
        }
        for i in def.disks.indices where isVirtio(def.disks[i]) {
            let address = def.disks[i].address
            if address?.pci != nil { continue }
            guard wanted(address) else {
                throw VirError(.configUnsupported, "virtio disk cannot have an address of type '\(address?.typeName ?? "none")'")
            }
            def.disks[i].address = .pci(try next(&set, chipset, "disk '\(def.disks[i].targetDev)'"))
        }
        if let balloon = def.memballoon, balloon.model != "none", wanted(balloon.address) {
            def.memballoon?.address = .pci(try next(&set, chipset, "memballoon"))
        }
        setAllMulti(&def)
    }

    /// Whether a running instance's QEMU chose where its PCI devices are:
    /// a PCI device of its live definition has no address (it was started
    /// before this driver assigned them).
    public static func placedByQemu(_ def: DomainDef) -> Bool {
        guard Chipset(machine: def.os.machine) != nil else { return false }
        if def.interfaces.contains(where: { $0.type != "hostdev" && wanted($0.address) }) { return true }
        if def.disks.contains(where: { isVirtio($0) && wanted($0.address) }) { return true }
        if let b = def.memballoon, b.model != "none", wanted(b.address) { return true }
        return false
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
        func placed(_ alias: String) -> DomainDeviceAddress? {
            guard let p = placements.first(where: { $0.qdevID == alias && $0.bus == 0 }),
                  let slot = UInt32(exactly: p.slot), let function = UInt32(exactly: p.function),
                  slot <= PCIDeviceAddress.slotLast, function <= PCIDeviceAddress.functionLast else { return nil }
            return .pci(PCIDeviceAddress(slot: slot, function: function))
        }
        var copy = def
        for i in copy.interfaces.indices where copy.interfaces[i].type != "hostdev" && wanted(copy.interfaces[i].address) {
            guard let a = placed(QemuCommandLine.interfaceAlias(i)) else { return false }
            copy.interfaces[i].address = a
        }
        for i in copy.disks.indices where isVirtio(copy.disks[i]) && wanted(copy.disks[i].address) {
            guard let a = placed(QemuCommandLine.virtioDiskAlias(i)) else { return false }
            copy.disks[i].address = a
        }
        if var balloon = copy.memballoon, balloon.model != "none", wanted(balloon.address) {
            guard let a = placed(QemuCommandLine.balloonAlias) else { return false }
            balloon.address = a
            copy.memballoon = balloon
        }
        def = copy
        return true
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
            try set.reserve(fixed, fromConfig: true)
        }
        // The ISA bridge at 1.0 and the ACPI/PM function at 1.3.
        try set.reserve(PCIDeviceAddress(slot: 1, function: 0), fromConfig: true)
        try set.reserve(PCIDeviceAddress(slot: 1, function: 3), fromConfig: true)
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
            try set.reserve(PCIDeviceAddress(slot: 0x1f, function: f), fromConfig: true)
        }
    }

    // MARK: devices

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
        (disk.targetBus ?? (disk.targetDev.hasPrefix("vd") ? "virtio" : "")) == "virtio"
    }

    static func next(_ set: inout PCIAddressSet, _ chipset: Chipset, _ device: String) throws(VirError) -> PCIDeviceAddress {
        guard chipset == .i440fx else {
            throw VirError(.configUnsupported, "\(device) has no PCI address: on a q35 machine libvirt plugs it into a pcie-root-port, which this driver does not support; give it an address on bus 0, e.g. <address type='pci' domain='0x0000' bus='0x00' slot='0x02' function='0x0'/>")
        }
        return try set.reserveNext()
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
}
