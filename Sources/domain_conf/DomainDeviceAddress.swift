import libvirt_abi

/// A device's `<address>`: typed for PCI, the address type kept for the
/// others (the element itself stays in the device's node, as parsed).
///
/// libvirt: the address half of `virDomainDeviceInfo` (src/conf/device_conf.h);
/// parsing is `virDomainDeviceAddressParseXML`, the types
/// `virDomainDeviceAddressType`.
public enum DomainDeviceAddress: Hashable, Sendable {
    case pci(PCIDeviceAddress)
    /// `drive`, `virtio-serial`, `isa`, `usb`, ...: not interpreted here.
    case other(type: String)

    /// libvirt: `virDomainDeviceAddressType` (without `none`).
    public static let types: [String] = ["pci", "drive", "virtio-serial", "ccid", "usb", "spapr-vio", "virtio-s390",
                                         "ccw", "virtio-mmio", "isa", "dimm", "unassigned"]

    /// The `type=` attribute. libvirt: `virDomainDeviceAddressTypeToString`.
    public var typeName: String {
        switch self {
        case .pci: return "pci"
        case .other(let t): return t
        }
    }

    /// The PCI address, when it is one and not empty.
    public var pci: PCIDeviceAddress? {
        if case .pci(let a) = self, !a.isEmpty { return a }
        return nil
    }

    /// The `<address>` child of a device element, if any.
    ///
    /// libvirt: `virDomainDeviceAddressParseXML`.
    static func parse(device: XMLElement) throws(VirError) -> DomainDeviceAddress? {
        guard let e = device.child("address") else { return nil }
        guard let type = e.attribute("type") else {
            throw VirError.conf(.internalError, "No type specified for device address")
        }
        guard types.contains(type) else {
            throw VirError.conf(.configUnsupported, "unknown address type '\(type)'")
        }
        if type == "pci" { return .pci(try PCIDeviceAddress(element: e)) }
        return .other(type: type)
    }

    /// The element to write: a PCI address in libvirt's layout, any other
    /// address as it was parsed.
    func element(kept: XMLElement?) -> XMLElement? {
        switch self {
        case .pci(let a):
            var e = XMLElement("address", attributes: [XMLAttribute("type", "pci")] + a.attributes)
            // What libvirt nests in a PCI address (<zpci>) is kept.
            if let kept, kept.attribute("type") == "pci" { e.children = kept.children }
            return e
        case .other:
            return kept
        }
    }
}

extension XMLElement {
    /// Writes a device's address child (libvirt puts it after `<alias>`).
    mutating func setAddress(_ address: DomainDeviceAddress?, kept: XMLElement?, order: [String]) {
        setChild("address", address?.element(kept: kept), order: order)
    }
}
