import libvirt_abi

/// `<memballoon>`.
///
/// libvirt: `virDomainMemballoonDef` (src/conf/domain_conf.h).
public struct DomainMemballoonDef: Hashable, Sendable {
    /// `virtio`, `xen`, `none`, `virtio-transitional`, `virtio-non-transitional`.
    public var model: String
    /// `<address>`: the virtio balloon's PCI address (assigned at define).
    public var address: DomainDeviceAddress?
    public var node: XMLElement

    public static let models: Set<String> = ["virtio", "xen", "none", "virtio-transitional", "virtio-non-transitional"]
    static let order = ["stats", "alias", "address", "driver"]

    public init(model: String) {
        self.model = model
        self.address = nil
        self.node = XMLElement("memballoon")
    }

    init(element: XMLElement) throws(VirError) {
        node = element
        guard let m = element.attribute("model") else {
            throw VirError.conf(.internalError, "balloon memory must contain model name")
        }
        guard DomainMemballoonDef.models.contains(m) else {
            throw VirError.conf(.internalError, "unknown memory balloon model '\(m)'")
        }
        model = m
        address = try DomainDeviceAddress.parse(device: element)
    }

    var element: XMLElement {
        var e = node
        e.setAttribute("model", model)
        e.setAddress(address, kept: node.child("address"), order: Self.order)
        return e
    }
}
