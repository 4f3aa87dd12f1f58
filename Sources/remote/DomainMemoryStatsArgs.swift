/// libvirt: `remote_domain_memory_stats_args`.
public struct DomainMemoryStatsArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    /// How many statistics the caller has room for.
    public var maxStats: UInt32
    public var flags: UInt32
    public init(dom: RemoteDomain, maxStats: UInt32, flags: UInt32 = 0) {
        self.dom = dom
        self.maxStats = maxStats
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        maxStats = try d.uint32()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        e.uint32(maxStats)
        e.uint32(flags)
    }
}
