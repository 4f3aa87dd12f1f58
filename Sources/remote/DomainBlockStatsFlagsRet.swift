import libvirt_abi

/// `remote_domain_block_stats_flags_ret`: the parameters, and their
/// count (the count alone when the call asked for it).
public struct DomainBlockStatsFlagsRet: XDRCodable, Hashable {
    public var params: [TypedParameter]
    public var nparams: Int32
    public init(params: [TypedParameter], nparams: Int32) {
        self.params = params
        self.nparams = nparams
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        params = try d.array(TypedParameter.self, max: RemoteProtocolLimits.blockStatsParametersMax, minElementSize: 12)
        nparams = try d.int32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.array(params, max: RemoteProtocolLimits.blockStatsParametersMax)
        e.int32(nparams)
    }
}
