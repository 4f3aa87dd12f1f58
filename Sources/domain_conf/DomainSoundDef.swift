import libvirt_abi

/// A `<sound>` device.
///
/// libvirt: `virDomainSoundDef` (src/conf/domain_conf.h), parsed by
/// `virDomainSoundDefParseXML`.
public struct DomainSoundDef: Hashable, Sendable {
    /// libvirt: `virDomainSoundModel`.
    public enum Model: String, CaseIterable, Sendable {
        case sb16, es1370, pcspk, ac97, ich6, ich9, usb, ich7
    }
    /// libvirt: `virDomainSoundCodecType`.
    public enum Codec: String, CaseIterable, Sendable {
        case duplex, micro, output
    }

    public var model: Model
    /// `<codec type=...>`, in order (an HDA card with none gets `duplex`).
    public var codecs: [Codec]
    public var address: DomainDeviceAddress?
    public var node: XMLElement

    static let order = ["codec", "audio", "alias", "address"]

    init(element: XMLElement) throws(VirError) {
        node = element
        guard let m: Model = try DomainDeviceParsing.enumAttribute(element, "model") else {
            throw VirError.conf(.internalError, "missing sound model")
        }
        model = m
        codecs = []
        for c in element.children(named: "codec") {
            guard let t: Codec = try DomainDeviceParsing.enumAttribute(c, "type") else {
                throw VirError.conf(.internalError, "missing codec type")
            }
            codecs.append(t)
        }
        address = try DomainDeviceAddress.parse(device: element)
    }

    /// A PCI sound card (libvirt skips sb16, pcspk and usb-audio when it
    /// assigns PCI slots).
    public var isPCI: Bool { [.es1370, .ac97, .ich6, .ich9].contains(model) }

    var element: XMLElement {
        var e = node
        e.setAttribute("model", model.rawValue)
        e.setAddress(address, kept: node.child("address"), order: Self.order)
        return e
    }
}
