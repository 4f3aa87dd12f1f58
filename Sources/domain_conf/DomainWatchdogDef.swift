import libvirt_abi

/// A `<watchdog>`.
///
/// libvirt: `virDomainWatchdogDef` (src/conf/domain_conf.h).
public struct DomainWatchdogDef: Hashable, Sendable {
    /// libvirt: `virDomainWatchdogModel`.
    public enum Model: String, CaseIterable, Sendable {
        case i6300esb, ib700, diag288, itco
    }
    /// libvirt: `virDomainWatchdogAction`.
    public enum Action: String, CaseIterable, Sendable {
        case reset, shutdown, poweroff, pause, dump, none
        case injectNMI = "inject-nmi"
    }

    public var model: Model
    public var action: Action
    public var address: DomainDeviceAddress?
    public var node: XMLElement

    static let order = ["alias", "address"]

    init(element: XMLElement) throws(VirError) {
        node = element
        guard let m: Model = try DomainDeviceParsing.enumAttribute(element, "model") else {
            throw VirError.conf(.internalError, "watchdog must contain model name")
        }
        model = m
        action = try DomainDeviceParsing.enumAttribute(element, "action") ?? .reset
        address = try DomainDeviceAddress.parse(device: element)
    }

    var element: XMLElement {
        var e = node
        e.setAddress(address, kept: node.child("address"), order: Self.order)
        return e
    }
}
