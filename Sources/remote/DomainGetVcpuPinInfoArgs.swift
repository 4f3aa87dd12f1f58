/// `remote_domain_get_vcpu_pin_info_args`: a domain, how many maps the
/// caller has room for, the bytes of one, and flags.
public struct DomainGetVcpuPinInfoArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var ncpumaps: Int32
    public var maplen: Int32
    public var flags: UInt32
    public init(dom: RemoteDomain, ncpumaps: Int32, maplen: Int32, flags: UInt32) {
        self.dom = dom
        self.ncpumaps = ncpumaps
        self.maplen = maplen
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        ncpumaps = try d.int32()
        maplen = try d.int32()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        e.int32(ncpumaps)
        e.int32(maplen)
        e.uint32(flags)
    }
}
