import libvirt_abi

/// A character device: `<serial>`, `<console>` or `<channel>` (parallel
/// ports are kept as they are).
///
/// libvirt: `virDomainChrDef` (src/conf/domain_conf.h).
public struct DomainChrDef: Hashable, Sendable {
    /// `serial`, `console` or `channel`.
    public var deviceType: String
    /// The host side.
    public var type: DomainChrType
    /// `file` and `unix`: the path; `pty`: the allocated pty, live only.
    public var sourcePath: String?
    /// `unix`: `bind` (QEMU listens) or `connect`.
    public var sourceMode: String?
    /// `file`: `<source append='on|off'>`.
    public var sourceAppend: Bool?
    /// `isa-serial`, `serial`, `virtio`, ...
    public var targetType: String?
    public var targetPort: Int?
    /// A `virtio` channel's `<target name=...>` (`org.qemu.guest_agent.0`).
    public var targetName: String?
    /// `<address>` (an ISA serial port has none unless the XML says).
    public var address: DomainDeviceAddress?
    public var node: XMLElement

    static let order = ["source", "protocol", "log", "target", "alias", "address"]

    public init(deviceType: String, type: DomainChrType, sourcePath: String? = nil, sourceMode: String? = nil,
                sourceAppend: Bool? = nil, targetType: String? = nil, targetPort: Int? = 0) {
        self.deviceType = deviceType
        self.type = type
        self.sourcePath = sourcePath
        self.sourceMode = sourceMode
        self.sourceAppend = sourceAppend
        self.targetType = targetType
        self.targetPort = targetPort
        self.targetName = nil
        self.address = nil
        self.node = XMLElement(deviceType)
    }

    init(element: XMLElement) throws(VirError) {
        node = element
        deviceType = element.name
        let typeText = element.attribute("type") ?? "null"
        guard let type = DomainChrType(rawValue: typeText) else {
            throw VirError.conf(.xmlError, "unknown type presented to host for character device: \(typeText)")
        }
        self.type = type
        let source = element.child("source")
        sourcePath = source?.attribute("path")
        sourceMode = source?.attribute("mode")
        switch source?.attribute("append") {
        case "on"?: sourceAppend = true
        case "off"?: sourceAppend = false
        case nil: sourceAppend = nil
        case let other?:
            throw VirError.conf(.xmlError, "Invalid value for attribute 'append' in element 'source': '\(other)'.")
        }
        let target = element.child("target")
        targetType = target?.attribute("type")
        if let p = target?.attribute("port") {
            guard let v = Int(p), v >= 0 else {
                throw VirError.conf(.xmlError, "Invalid port number: \(p)")
            }
            targetPort = v
        } else {
            targetPort = nil
        }
        targetName = target?.attribute("name")
        address = try DomainDeviceAddress.parse(device: element)
    }

    /// - Parameter live: include what only a running instance has (the pty).
    func element(live: Bool) -> XMLElement {
        var e = node
        e.name = deviceType
        e.setAttribute("type", type.rawValue)
        let path = (type == .pty && !live) ? nil : sourcePath
        if type == .pty { e.setAttribute("tty", live ? sourcePath : nil) }
        var s = node.child("source") ?? XMLElement("source")
        s.setAttribute("mode", sourceMode)
        s.setAttribute("path", path)
        s.setAttribute("append", sourceAppend.map { $0 ? "on" : "off" })
        e.setChild("source", s.attributes.isEmpty && s.children.isEmpty ? nil : s, order: Self.order)
        if targetType != nil || targetPort != nil || node.child("target") != nil {
            var t = node.child("target") ?? XMLElement("target")
            t.setAttribute("type", targetType)
            t.setAttribute("port", targetPort.map(String.init))
            t.setAttribute("name", targetName)
            e.setChild("target", t, order: Self.order)
        }
        e.setAddress(address, kept: node.child("address"), order: Self.order)
        return e
    }
}
