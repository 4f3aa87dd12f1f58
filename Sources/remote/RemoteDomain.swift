import domain_conf

/// A domain on the wire: name, UUID and id (-1 when shut off).
///
/// libvirt: `remote_nonnull_domain` (src/remote/remote_protocol.x);
/// `remote_domain` is its optional form.
public struct RemoteDomain: XDRCodable, Hashable {
    public var name: String
    public var uuid: DomainUUID
    /// The live id, -1 for an inactive domain.
    public var id: Int32

    public init(name: String, uuid: DomainUUID, id: Int32) {
        self.name = name
        self.uuid = uuid
        self.id = id
    }

    public init(from d: inout XDRDecoder) throws(RemoteError) {
        name = try d.string()
        uuid = DomainUUID(bytes: try d.fixedOpaque(length: RemoteProtocolLimits.uuidLength))
        id = try d.int32()
    }

    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.string(name)
        try e.fixedOpaque(uuid.bytes, length: RemoteProtocolLimits.uuidLength)
        e.int32(id)
    }
}
