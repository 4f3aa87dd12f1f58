import libvirt_abi

/// A `<controller>`: what the model needs of it (type, index, model,
/// address); the rest of the element is kept as parsed.
///
/// libvirt: `virDomainControllerDef` (src/conf/domain_conf.h), parsed by
/// `virDomainControllerDefParseXML`.
public struct DomainControllerDef: Hashable, Sendable {
    public enum ControllerType: String, CaseIterable, Sendable {
        case ide, fdc, scsi, sata
        case virtioSerial = "virtio-serial"
        case ccid, usb, pci, xenbus, isa
    }

    public var type: ControllerType
    /// `index=`; `nil` when the XML has none (libvirt assigns the next
    /// free index of the type).
    public var index: Int?
    /// `model=` as written (`pci-root`, `pcie-root`, `none`, `piix3-uhci`, ...).
    public var model: String?
    public var address: DomainDeviceAddress?
    public var node: XMLElement

    static let order = ["model", "target", "driver", "pcihole64", "alias", "address"]

    public init(type: ControllerType, index: Int? = 0, model: String? = nil) {
        self.type = type
        self.index = index
        self.model = model
        self.address = nil
        self.node = XMLElement("controller")
    }

    init(element: XMLElement) throws(VirError) {
        node = element
        let typeText = element.attribute("type") ?? ControllerType.ide.rawValue
        guard let t = ControllerType(rawValue: typeText) else {
            throw VirError.conf(.xmlError, "Invalid value for attribute 'type' in element 'controller': '\(typeText)'.")
        }
        type = t
        if let text = element.attribute("index") {
            guard let v = Int(text) else {
                throw VirError.conf(.xmlError, "Invalid value for attribute 'index' in element 'controller': '\(text)'. Expected integer value")
            }
            guard v >= 0 else {
                throw VirError.conf(.xmlError, "Invalid value for attribute 'index' in element 'controller': '\(text)'. Expected non-negative value")
            }
            index = v
        } else {
            index = nil
        }
        model = element.attribute("model")
        address = try DomainDeviceAddress.parse(device: element)
    }

    var element: XMLElement {
        var e = node
        e.setAttribute("type", type.rawValue)
        e.setAttribute("index", index.map(String.init))
        e.setAttribute("model", model)
        e.setAddress(address, kept: node.child("address"), order: Self.order)
        return e
    }
}
