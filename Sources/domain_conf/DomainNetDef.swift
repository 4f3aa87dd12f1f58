import libvirt_abi

/// An `<interface>` device.
///
/// libvirt: `virDomainNetDef` (src/conf/domain_conf.h).
public struct DomainNetDef: Hashable, Sendable {
    /// `user`, `network`, `bridge`, `ethernet`, `direct`, ...
    public var type: String
    /// `52:54:00:xx:xx:xx`; libvirt generates one when the XML has none.
    public var mac: String
    /// The network name (`network`) or bridge name (`bridge`).
    public var source: String?
    /// `<model type=...>`: `virtio`, `e1000`, `rtl8139`, ...
    public var model: String?
    /// `<address>`: the NIC's PCI address (assigned at define).
    public var address: DomainDeviceAddress?
    public var node: XMLElement

    public static let types: Set<String> = ["user", "ethernet", "vhostuser", "server", "client", "mcast", "network",
                                           "bridge", "internal", "direct", "hostdev", "udp", "vdpa", "null", "vds"]
    static let order = ["mac", "source", "virtualport", "ip", "route", "script", "downscript", "backenddomain",
                        "target", "guest", "model", "driver", "backend", "filterref", "tune", "teaming", "link",
                        "mtu", "coalesce", "rom", "boot", "vlan", "bandwidth", "portForward", "port", "alias",
                        "address", "acpi"]

    public init(type: String = "user", mac: String = DomainNetDef.generateMAC(), source: String? = nil, model: String? = nil) {
        self.type = type
        self.mac = mac
        self.source = source
        self.model = model
        self.address = nil
        self.node = XMLElement("interface")
    }

    init(element: XMLElement) throws(VirError) {
        node = element
        guard let t = element.attribute("type") else {
            throw VirError.conf(.internalError, "missing type attribute in interface")
        }
        guard DomainNetDef.types.contains(t) else {
            throw VirError.conf(.internalError, "unknown interface type '\(t)'")
        }
        type = t
        if let text = element.child("mac")?.attribute("address") {
            guard let bytes = DomainNetDef.parseMAC(text) else {
                throw VirError.conf(.xmlError, "unable to parse mac address '\(text)'")
            }
            guard bytes[0] & 1 == 0 else {
                throw VirError.conf(.xmlError, "expected unicast mac address, found multicast '\(text)'")
            }
            mac = DomainNetDef.formatMAC(bytes)
        } else {
            mac = DomainNetDef.generateMAC()
        }
        let src = element.child("source")
        switch t {
        case "network": source = src?.attribute("network")
        case "bridge": source = src?.attribute("bridge")
        default: source = nil
        }
        // libvirt's `string(./model/@type)`: the first type of any <model>.
        model = element.children(named: "model").lazy.compactMap { $0.attribute("type") }.first
        address = try DomainDeviceAddress.parse(device: element)
    }

    /// The types whose guest traffic goes through a tap device the driver
    /// creates for each instance.
    public var usesTap: Bool { type == "bridge" || type == "network" || type == "ethernet" }

    /// `<target dev=...>`: the host device of a running instance (its tap).
    public var targetDevice: String? { node.child("target")?.attribute("dev") }

    public mutating func setTargetDevice(_ dev: String?) {
        var t = node.child("target") ?? XMLElement("target")
        t.setAttribute("dev", dev)
        node.setChild("target", dev == nil ? nil : t, order: Self.order)
    }

    var element: XMLElement {
        var e = node
        e.setAttribute("type", type)
        var m = node.child("mac") ?? XMLElement("mac")
        m.setAttribute("address", mac)
        e.setChild("mac", m, order: Self.order)
        if let attr = ["network": "network", "bridge": "bridge"][type] {
            var s = node.child("source") ?? XMLElement("source")
            s.setAttribute(attr, source)
            e.setChild("source", s.attributes.isEmpty && s.children.isEmpty ? nil : s, order: Self.order)
        }
        // One <model> at most, as libvirt writes it: a second one is not
        // kept beside the first (nor taken for it once the first is gone).
        if let model {
            var mo = node.child("model") ?? XMLElement("model")
            mo.setAttribute("type", model)
            e.setChildren("model", [mo], order: Self.order)
        } else {
            e.setChildren("model", [], order: Self.order)
        }
        e.setAddress(address, kept: node.child("address"), order: Self.order)
        return e
    }

    /// A MAC with QEMU's prefix 52:54:00, as libvirt generates
    /// (`virDomainNetGenerateMAC`).
    public static func generateMAC() -> String {
        var g = SystemRandomNumberGenerator()
        return formatMAC([0x52, 0x54, 0x00, UInt8.random(in: 0...255, using: &g),
                          UInt8.random(in: 0...255, using: &g), UInt8.random(in: 0...255, using: &g)])
    }

    /// libvirt: `virMacAddrParse` (six hex pairs separated by ':').
    static func parseMAC(_ s: String) -> [UInt8]? {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard (1...2).contains(p.count), let v = UInt8(p, radix: 16) else { return nil }
            out.append(v)
        }
        return out
    }

    static func formatMAC(_ b: [UInt8]) -> String {
        b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
    }
}
