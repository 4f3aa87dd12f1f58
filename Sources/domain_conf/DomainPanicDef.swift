import libvirt_abi

/// A `<panic>` device: how the guest tells the host it crashed.
///
/// libvirt: `virDomainPanicDef` (src/conf/domain_conf.h).
public struct DomainPanicDef: Hashable, Sendable {
    /// libvirt: `virDomainPanicModel`.
    public enum Model: String, CaseIterable, Sendable {
        case `default`, isa, pseries, hyperv, s390, pvpanic
    }

    public var model: Model
    public var address: DomainDeviceAddress?
    public var node: XMLElement

    static let order = ["alias", "address"]

    init(element: XMLElement) throws(VirError) {
        node = element
        model = try DomainDeviceParsing.enumAttribute(element, "model") ?? .default
        address = try DomainDeviceAddress.parse(device: element)
    }

    var element: XMLElement {
        var e = node
        e.setAddress(address, kept: node.child("address"), order: Self.order)
        return e
    }
}
