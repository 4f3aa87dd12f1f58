/// libvirt: `remote_connect_list_all_domains_ret`
/// (`domains<REMOTE_DOMAIN_LIST_MAX>`, then the count).
public struct ConnectListAllDomainsRet: XDRCodable, Hashable {
    public var domains: [RemoteDomain]
    public var count: UInt32
    public init(domains: [RemoteDomain], count: UInt32) {
        self.domains = domains
        self.count = count
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        // name (4) + uuid (16) + id (4): at least 24 bytes a domain.
        domains = try d.array(RemoteDomain.self, max: RemoteProtocolLimits.domainListMax, minElementSize: 24)
        count = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.array(domains, max: RemoteProtocolLimits.domainListMax)
        e.uint32(count)
    }
}
