import libvirt_abi

/// libvirt: `remote_domain_get_job_stats_ret`
/// (`params<REMOTE_DOMAIN_JOB_STATS_MAX>`).
public struct DomainGetJobStatsRet: XDRCodable, Hashable {
    /// `virDomainJobType`.
    public var type: Int32
    public var params: [TypedParameter]
    public init(type: Int32, params: [TypedParameter]) {
        self.type = type
        self.params = params
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        type = try d.int32()
        params = try d.array(TypedParameter.self, max: RemoteProtocolLimits.jobStatsMax, minElementSize: 12)
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        e.int32(type)
        try e.array(params, max: RemoteProtocolLimits.jobStatsMax)
    }
}
