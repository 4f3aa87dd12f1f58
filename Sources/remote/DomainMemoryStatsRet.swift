/// libvirt: `remote_domain_memory_stats_ret`
/// (`stats<REMOTE_DOMAIN_MEMORY_STATS_MAX>` of `remote_domain_memory_stat`:
/// a `virDomainMemoryStatTags` number and its value).
public struct DomainMemoryStatsRet: XDRCodable, Hashable {
    public struct Stat: XDRCodable, Hashable {
        public var tag: Int32
        public var value: UInt64
        public init(tag: Int32, value: UInt64) {
            self.tag = tag
            self.value = value
        }
        public init(from d: inout XDRDecoder) throws(RemoteError) {
            tag = try d.int32()
            value = try d.uint64()
        }
        public func encode(to e: inout XDREncoder) throws(RemoteError) {
            e.int32(tag)
            e.uint64(value)
        }
    }

    public var stats: [Stat]
    public init(stats: [Stat]) {
        self.stats = stats
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        stats = try d.array(Stat.self, max: RemoteProtocolLimits.domainMemoryStatsMax, minElementSize: 12)
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.array(stats, max: RemoteProtocolLimits.domainMemoryStatsMax)
    }
}
