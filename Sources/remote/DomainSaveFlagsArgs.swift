/// `remote_domain_save_flags_args`: a domain, the file, an optional new
/// XML for the image, and flags (`remote_domain_save_args` is the first
/// two: `flagsPresent` false).
public struct DomainSaveFlagsArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var to: String
    public var dxml: String?
    public var flags: UInt32
    public init(dom: RemoteDomain, to: String, dxml: String? = nil, flags: UInt32 = 0) {
        self.dom = dom
        self.to = to
        self.dxml = dxml
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        to = try d.string()
        dxml = try d.optionalString()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        try e.string(to)
        try e.optionalString(dxml)
        e.uint32(flags)
    }
}
