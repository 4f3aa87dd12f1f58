/// `remote_domain_block_stats_flags_args`: a domain, the disk (empty:
/// all), how many parameters the caller has room for (0: ask the
/// count) and flags.
public struct DomainBlockStatsFlagsArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var path: String
    public var nparams: Int32
    public var flags: UInt32
    public init(dom: RemoteDomain, path: String, nparams: Int32, flags: UInt32 = 0) {
        self.dom = dom
        self.path = path
        self.nparams = nparams
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        path = try d.string()
        nparams = try d.int32()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        try e.string(path)
        e.int32(nparams)
        e.uint32(flags)
    }
}
