/// libvirt: `remote_connect_list_all_domains_args`.
public struct ConnectListAllDomainsArgs: XDRCodable, Hashable {
    /// Whether the client wants the domains or only their count.
    public var needResults: Int32
    /// `virConnectListAllDomainsFlags`.
    public var flags: UInt32
    public init(needResults: Bool = true, flags: UInt32 = 0) {
        self.needResults = needResults ? 1 : 0
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        needResults = try d.int32()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        e.int32(needResults)
        e.uint32(flags)
    }
}
