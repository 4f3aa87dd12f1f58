import libvirt_abi

/// One domain's statistics on the wire.
///
/// libvirt: `remote_domain_stats_record`
/// (`dom`, `params<REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX>`).
public struct RemoteDomainStatsRecord: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var params: [TypedParameter]
    public init(dom: RemoteDomain, params: [TypedParameter]) {
        self.dom = dom
        self.params = params
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        params = try d.array(TypedParameter.self, max: RemoteProtocolLimits.domainStatsMax, minElementSize: 12)
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        try e.array(params, max: RemoteProtocolLimits.domainStatsMax)
    }
}
