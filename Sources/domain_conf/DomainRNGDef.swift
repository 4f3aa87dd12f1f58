import libvirt_abi

/// An `<rng>`: a random number generator for the guest.
///
/// libvirt: `virDomainRNGDef` (src/conf/domain_conf.h), parsed by
/// `virDomainRNGDefParseXML`.
public struct DomainRNGDef: Hashable, Sendable {
    /// libvirt: `virDomainRNGModel`.
    public enum Model: String, CaseIterable, Sendable {
        case virtio
        case virtioTransitional = "virtio-transitional"
        case virtioNonTransitional = "virtio-non-transitional"
    }
    /// libvirt: `virDomainRNGBackend`.
    public enum Backend: String, CaseIterable, Sendable {
        case random, egd, builtin
    }

    public var model: Model
    public var backend: Backend
    /// `random`: the host file (libvirt's default is /dev/urandom).
    public var sourcePath: String?
    /// `<rate bytes= period=>`.
    public var rateBytes: UInt32?
    public var ratePeriod: UInt32?
    public var address: DomainDeviceAddress?
    public var node: XMLElement

    static let order = ["rate", "backend", "driver", "alias", "address"]

    init(element: XMLElement) throws(VirError) {
        node = element
        guard let m: Model = try DomainDeviceParsing.enumAttribute(element, "model") else {
            throw VirError.conf(.xmlError, "missing RNG device model")
        }
        model = m
        guard let b = element.child("backend"),
              let backend: Backend = try DomainDeviceParsing.enumAttribute(b, "model") else {
            throw VirError.conf(.xmlError, "missing RNG device backend model")
        }
        self.backend = backend
        let text = String(b.text.trimmingXMLSpace())
        sourcePath = text.isEmpty ? nil : text
        if let r = element.child("rate") {
            guard let bytes = try DomainDeviceParsing.unsignedAttribute(r, "bytes") else {
                throw VirError.conf(.xmlError, "missing RNG rate bytes")
            }
            rateBytes = bytes
            ratePeriod = try DomainDeviceParsing.unsignedAttribute(r, "period")
        } else {
            rateBytes = nil
            ratePeriod = nil
        }
        address = try DomainDeviceAddress.parse(device: element)
    }

    var element: XMLElement {
        var e = node
        e.setAddress(address, kept: node.child("address"), order: Self.order)
        return e
    }
}
