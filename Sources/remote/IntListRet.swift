/// libvirt: `remote_connect_list_domains_ret` (`int ids<REMOTE_DOMAIN_LIST_MAX>`).
public struct IntListRet: XDRCodable, Hashable {
    public var values: [Int32]
    public init(_ values: [Int32]) { self.values = values }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        values = try d.array(IntValue.self, max: RemoteProtocolLimits.domainListMax).map(\.value)
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.array(values.map(IntValue.init), max: RemoteProtocolLimits.domainListMax)
    }
}
