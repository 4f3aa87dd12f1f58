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
    /// `<model name=...>`: the QEMU device of a PCI controller
    /// (`pcie-root-port`).
    public var modelName: String?
    /// `<target chassis=... port=...>` of a `pcie-root-port`.
    public var targetChassis: UInt32?
    public var targetPort: UInt32?
    public var address: DomainDeviceAddress?
    public var node: XMLElement

    static let order = ["model", "target", "driver", "pcihole64", "alias", "address"]

    public init(type: ControllerType, index: Int? = 0, model: String? = nil) {
        self.type = type
        self.index = index
        self.model = model
        self.modelName = nil
        self.targetChassis = nil
        self.targetPort = nil
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
        modelName = element.child("model")?.attribute("name")
        let target = element.child("target")
        func number(_ name: String) throws(VirError) -> UInt32? {
            guard let text = target?.attribute(name) else { return nil }
            guard let v = PCIDeviceAddress.parseUInt(text) else {
                throw VirError.conf(.xmlError, "Invalid value for attribute '\(name)' in element 'target': '\(text)'. Expected non-negative integer value")
            }
            return v
        }
        targetChassis = try number("chassis")
        targetPort = try number("port")
        address = try DomainDeviceAddress.parse(device: element)
    }

    var element: XMLElement {
        var e = node
        e.setAttribute("type", type.rawValue)
        e.setAttribute("index", index.map(String.init))
        e.setAttribute("model", model)
        if let modelName {
            var m = node.child("model") ?? XMLElement("model")
            m.setAttribute("name", modelName)
            e.setChild("model", m, order: Self.order)
        }
        if targetChassis != nil || targetPort != nil {
            var t = node.child("target") ?? XMLElement("target")
            t.setAttribute("chassis", targetChassis.map(String.init))
            t.setAttribute("port", targetPort.map { "0x" + String($0, radix: 16) })
            e.setChild("target", t, order: Self.order)
        }
        e.setAddress(address, kept: node.child("address"), order: Self.order)
        // virDomainControllerDefFormat: type, index, model, then the
        // model's own attributes.
        e.orderAttributes(["type", "index", "model", "ports", "vectors", "maxGrantFrames", "maxEventChannels"])
        return e
    }
}
