/// libvirt: `remote_connect_list_defined_domains_ret`
/// (`remote_nonnull_string names<REMOTE_DOMAIN_LIST_MAX>`).
public struct StringListRet: XDRCodable, Hashable {
    public var values: [String]
    public init(_ values: [String]) { self.values = values }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        values = try d.array(StringValue.self, max: RemoteProtocolLimits.domainListMax).map(\.value)
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.array(values.map(StringValue.init), max: RemoteProtocolLimits.domainListMax)
    }
}
