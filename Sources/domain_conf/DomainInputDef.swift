import libvirt_abi

/// An `<input>` device: a mouse, tablet or keyboard on a bus.
///
/// libvirt: `virDomainInputDef` (src/conf/domain_conf.h), parsed by
/// `virDomainInputDefParseXML`.
public struct DomainInputDef: Hashable, Sendable {
    /// libvirt: `virDomainInputType`.
    public enum InputType: String, CaseIterable, Sendable {
        case mouse, tablet, keyboard, passthrough, evdev
    }
    /// libvirt: `virDomainInputBus`.
    public enum Bus: String, CaseIterable, Sendable {
        case ps2, usb, xen, parallels, virtio, none
    }

    public var type: InputType
    /// `bus=`; `nil` when the XML names none (ps2 for a mouse or a keyboard
    /// on x86, usb for a tablet).
    public var bus: Bus?
    /// `<address>`: `usb` for a USB device, `pci` for virtio.
    public var address: DomainDeviceAddress?
    public var node: XMLElement

    static let order = ["source", "model", "driver", "alias", "address"]

    public init(type: InputType, bus: Bus) {
        self.type = type
        self.bus = bus
        self.address = nil
        self.node = XMLElement("input")
    }

    init(element: XMLElement) throws(VirError) {
        node = element
        guard let t: InputType = try DomainDeviceParsing.enumAttribute(element, "type") else {
            throw VirError.conf(.internalError, "missing input device type")
        }
        type = t
        bus = try DomainDeviceParsing.enumAttribute(element, "bus")
        address = try DomainDeviceAddress.parse(device: element)
    }

    /// The bus, defaulted as libvirt's `virDomainInputDefParseXML` does
    /// for an x86 guest.
    public var effectiveBus: Bus { bus ?? (type == .tablet ? .usb : .ps2) }

    var element: XMLElement {
        var e = node
        e.setAttribute("type", type.rawValue)
        e.setAttribute("bus", bus?.rawValue)
        e.setAddress(address, kept: node.child("address"), order: Self.order)
        return e
    }
}
