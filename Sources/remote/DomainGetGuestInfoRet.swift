import libvirt_abi

/// libvirt: `remote_domain_get_guest_info_ret`
/// (`params<REMOTE_DOMAIN_GUEST_INFO_PARAMS_MAX>`).
public struct DomainGetGuestInfoRet: XDRCodable, Hashable {
    public var params: [TypedParameter]
    public init(params: [TypedParameter]) { self.params = params }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        params = try d.array(TypedParameter.self, max: RemoteProtocolLimits.domainGuestInfoParamsMax, minElementSize: 12)
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.array(params, max: RemoteProtocolLimits.domainGuestInfoParamsMax)
    }
}
