/// libvirt: `remote_connect_get_all_domain_stats_ret`
/// (`retStats<REMOTE_DOMAIN_LIST_MAX>`).
public struct ConnectGetAllDomainStatsRet: XDRCodable, Hashable {
    public var records: [RemoteDomainStatsRecord]
    public init(records: [RemoteDomainStatsRecord]) {
        self.records = records
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        // a domain (24) and an empty parameter list (4).
        records = try d.array(RemoteDomainStatsRecord.self, max: RemoteProtocolLimits.domainListMax, minElementSize: 28)
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.array(records, max: RemoteProtocolLimits.domainListMax)
    }
}
