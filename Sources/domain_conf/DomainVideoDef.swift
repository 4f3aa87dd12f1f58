import libvirt_abi

/// A `<video>` device.
///
/// libvirt: `virDomainVideoDef` (src/conf/domain_conf.h), parsed by
/// `virDomainVideoDefParseXML`.
public struct DomainVideoDef: Hashable, Sendable {
    /// libvirt: `virDomainVideoType`.
    public enum Model: String, CaseIterable, Sendable {
        case `default`, vga, cirrus, vmvga, xen, vbox, qxl, parallels, virtio, gop, none, bochs, ramfb
    }

    public var model: Model
    /// `<model vram=...>` (KiB), `ram=`, `vgamem=`, `heads=`; `nil` when
    /// the XML has none (the command line uses libvirt's defaults).
    public var vram: UInt32?
    public var ram: UInt32?
    public var vgamem: UInt32?
    public var heads: UInt32?
    /// `<model primary='yes'>`.
    public var primary: Bool
    public var address: DomainDeviceAddress?
    public var node: XMLElement

    static let order = ["driver", "model", "alias", "address"]

    init(element: XMLElement) throws(VirError) {
        node = element
        let m = element.child("model")
        model = try m.flatMap { (e) throws(VirError) -> Model? in try DomainDeviceParsing.enumAttribute(e, "type") } ?? .default
        if let m {
            vram = try DomainDeviceParsing.unsignedAttribute(m, "vram")
            ram = try DomainDeviceParsing.unsignedAttribute(m, "ram")
            vgamem = try DomainDeviceParsing.unsignedAttribute(m, "vgamem")
            heads = try DomainDeviceParsing.unsignedAttribute(m, "heads")
            primary = try DomainDeviceParsing.boolAttribute(m, "primary") ?? false
        } else {
            vram = nil; ram = nil; vgamem = nil; heads = nil; primary = false
        }
        address = try DomainDeviceAddress.parse(device: element)
    }

    /// A PCI device (all but `none` and `ramfb`).
    public var isPCI: Bool { model != .none && model != .ramfb }

    var element: XMLElement {
        var e = node
        if model != .default || node.child("model") != nil {
            var m = node.child("model") ?? XMLElement("model")
            m.setAttribute("type", model == .default ? nil : model.rawValue)
            e.setChild("model", m, order: Self.order)
        }
        e.setAddress(address, kept: node.child("address"), order: Self.order)
        return e
    }
}
