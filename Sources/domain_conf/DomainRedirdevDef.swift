import libvirt_abi

/// A `<redirdev>`: a USB device of the client redirected into the guest
/// (over SPICE).
///
/// libvirt: `virDomainRedirdevDef` (src/conf/domain_conf.h).
public struct DomainRedirdevDef: Hashable, Sendable {
    /// `bus=`; libvirt knows only `usb`.
    public var bus: String
    /// The host side: `spicevmc`, `tcp`, ...
    public var type: DomainChrType
    public var address: DomainDeviceAddress?
    public var node: XMLElement

    static let order = ["source", "protocol", "boot", "alias", "address"]

    init(element: XMLElement) throws(VirError) {
        node = element
        let b = element.attribute("bus") ?? "usb"
        guard b == "usb" else {
            throw VirError.conf(.xmlError, "Invalid value for attribute 'bus' in element 'redirdev': '\(b)'.")
        }
        bus = b
        let typeText = element.attribute("type") ?? "null"
        guard let t = DomainChrType(rawValue: typeText) else {
            throw VirError.conf(.xmlError, "unknown type presented to host for character device: \(typeText)")
        }
        type = t
        address = try DomainDeviceAddress.parse(device: element)
    }

    var element: XMLElement {
        var e = node
        e.setAddress(address, kept: node.child("address"), order: Self.order)
        return e
    }
}
