/// `remote_domain_get_metadata_args` (the reply is a
/// `remote_domain_get_metadata_ret`: one string).
public struct DomainGetMetadataArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var type: Int32
    public var uri: String?
    public var flags: UInt32
    public init(dom: RemoteDomain, type: Int32, uri: String?, flags: UInt32) {
        self.dom = dom
        self.type = type
        self.uri = uri
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        type = try d.int32()
        uri = try d.optionalString()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        e.int32(type)
        try e.optionalString(uri)
        e.uint32(flags)
    }
}
