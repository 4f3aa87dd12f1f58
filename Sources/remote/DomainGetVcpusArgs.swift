/// `remote_domain_get_vcpus_args`: a domain, how many vCPUs the caller
/// has room for, and the bytes of one CPU map.
public struct DomainGetVcpusArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var maxinfo: Int32
    public var maplen: Int32
    public init(dom: RemoteDomain, maxinfo: Int32, maplen: Int32) {
        self.dom = dom
        self.maxinfo = maxinfo
        self.maplen = maplen
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        maxinfo = try d.int32()
        maplen = try d.int32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        e.int32(maxinfo)
        e.int32(maplen)
    }
}
