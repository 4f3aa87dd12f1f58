/// libvirt: `remote_connect_get_all_domain_stats_args`
/// (`doms<REMOTE_DOMAIN_LIST_MAX>`, the stats groups, the flags). No
/// domains: every domain the filters in `flags` select.
public struct ConnectGetAllDomainStatsArgs: XDRCodable, Hashable {
    public var doms: [RemoteDomain]
    /// `virDomainStatsTypes`.
    public var stats: UInt32
    /// `virConnectGetAllDomainStatsFlags`.
    public var flags: UInt32
    public init(doms: [RemoteDomain] = [], stats: UInt32, flags: UInt32 = 0) {
        self.doms = doms
        self.stats = stats
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        // name (4) + uuid (16) + id (4): at least 24 bytes a domain.
        doms = try d.array(RemoteDomain.self, max: RemoteProtocolLimits.domainListMax, minElementSize: 24)
        stats = try d.uint32()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.array(doms, max: RemoteProtocolLimits.domainListMax)
        e.uint32(stats)
        e.uint32(flags)
    }
}
