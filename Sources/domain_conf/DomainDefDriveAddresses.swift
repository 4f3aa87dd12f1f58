import libvirt_abi

/// `<address type='drive'>` for the disks of controller-based buses that
/// have none, from their target names, as libvirt gives them at parse
/// (so `dumpxml` after `define` shows them).
extension DomainDef {
    /// libvirt: `virDomainDiskDefAssignAddress` (from
    /// `virDomainDiskDefPostParse`), with the QEMU driver's wide SCSI buses
    /// (`VIR_DOMAIN_DEF_FEATURE_WIDE_SCSI`: 16 units, unit 7 the controller's).
    public mutating func assignDriveAddresses() throws(VirError) {
        for i in disks.indices { try disks[i].assignDriveAddress() }
    }

    /// The bus a target name implies when `<target bus=...>` is absent.
    ///
    /// libvirt: `virDomainDiskDefParseXML` (hd: IDE, sd: SCSI, vd: virtio,
    /// xvd: Xen, ubd: UML, fd: floppy controller).
    static func defaultBus(_ target: String) -> DomainDiskBus? {
        if target.hasPrefix("hd") { return .ide }
        if target.hasPrefix("sd") { return .scsi }
        if target.hasPrefix("vd") { return .virtio }
        if target.hasPrefix("xvd") { return .xen }
        if target.hasPrefix("ubd") { return .uml }
        if target.hasPrefix("fd") { return .fdc }
        return nil
    }

    /// `hda` → 0, `sdb` → 1, `vdaa` → 26: the letters after the prefix as
    /// a bijective base-26 number; `nil` for a name that is not one.
    ///
    /// libvirt: `virDiskNameToIndex` (a partition number after the letters
    /// is ignored).
    public static func diskNameIndex(_ name: String) -> Int? {
        let prefixes = ["fd", "hd", "vd", "sd", "xvd", "ubd"]
        guard let prefix = prefixes.first(where: { name.hasPrefix($0) }) else { return nil }
        var idx = 0
        var letters = 0
        for c in name.dropFirst(prefix.count).unicodeScalars {
            guard c.value >= 0x61, c.value <= 0x7A else {
                guard ("0"..."9").contains(c) else { return nil }
                break
            }
            idx = (idx + (letters > 0 ? 1 : 0)) * 26 + Int(c.value - 0x61)
            letters += 1
        }
        return letters > 0 ? idx : nil
    }
}

extension DomainDiskDef {
    /// Gives a disk of a controller-based bus without an address the one
    /// its target name implies; others are left as they are.
    ///
    /// libvirt: `virDomainDiskDefAssignAddress`.
    public mutating func assignDriveAddress() throws(VirError) {
        guard address == nil, let bus = targetBus ?? DomainDef.defaultBus(targetDev) else { return }
        guard [.scsi, .ide, .sata, .fdc].contains(bus) else { return }
        guard let idx = DomainDef.diskNameIndex(targetDev) else {
            throw VirError.conf(.xmlError, "Unknown disk name '\(targetDev)' and no address specified")
        }
        let (controller, driveBus, unit): (Int, Int, Int)
        switch bus {
        case .scsi:
            let u = idx % 15
            (controller, driveBus, unit) = (idx / 15, 0, u >= 7 ? u + 1 : u)
        case .ide: (controller, driveBus, unit) = (idx / 4, (idx % 4) / 2, idx % 2)
        case .sata: (controller, driveBus, unit) = (idx / 6, 0, idx % 6)
        default: (controller, driveBus, unit) = (idx / 2, 0, idx % 2)
        }
        node.setChild("address", XMLElement("address", attributes: [
            XMLAttribute("type", "drive"), XMLAttribute("controller", String(controller)), XMLAttribute("bus", String(driveBus)),
            XMLAttribute("target", "0"), XMLAttribute("unit", String(unit)),
        ]), order: Self.order)
        address = .other(type: "drive")
    }
}
