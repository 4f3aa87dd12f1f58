import libvirt_abi

/// `<memballoon>`.
///
/// libvirt: `virDomainMemballoonDef` (src/conf/domain_conf.h).
public struct DomainMemballoonDef: Hashable, Sendable {
    /// `virtio`, `xen`, `none`, `virtio-transitional`, `virtio-non-transitional`.
    public var model: String
    public var node: XMLElement

    public static let models: Set<String> = ["virtio", "xen", "none", "virtio-transitional", "virtio-non-transitional"]

    public init(model: String) {
        self.model = model
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
    }

    var element: XMLElement {
        var e = node
        e.setAttribute("model", model)
        return e
    }
}
