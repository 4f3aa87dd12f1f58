/// `remote_domain_set_metadata_args`.
public struct DomainSetMetadataArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var type: Int32
    public var metadata: String?
    public var key: String?
    public var uri: String?
    public var flags: UInt32
    public init(dom: RemoteDomain, type: Int32, metadata: String?, key: String?, uri: String?, flags: UInt32) {
        self.dom = dom
        self.type = type
        self.metadata = metadata
        self.key = key
        self.uri = uri
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        type = try d.int32()
        metadata = try d.optionalString()
        key = try d.optionalString()
        uri = try d.optionalString()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        e.int32(type)
        try e.optionalString(metadata)
        try e.optionalString(key)
        try e.optionalString(uri)
        e.uint32(flags)
    }
}
