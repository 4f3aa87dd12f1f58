import domain_conf

/// `remote_domain_lookup_by_uuid_args`: a UUID (fixed 16-byte opaque).
public struct UUIDArgs: XDRCodable, Hashable {
    public var uuid: DomainUUID
    public init(_ uuid: DomainUUID) { self.uuid = uuid }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        uuid = DomainUUID(bytes: try d.fixedOpaque(length: RemoteProtocolLimits.uuidLength))
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.fixedOpaque(uuid.bytes, length: RemoteProtocolLimits.uuidLength)
    }
}
