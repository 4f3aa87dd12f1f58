/// libvirt: `remote_domain_set_time_args`.
public struct DomainSetTimeArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var seconds: Int64
    public var nseconds: UInt32
    public var flags: UInt32
    public init(dom: RemoteDomain, seconds: Int64, nseconds: UInt32, flags: UInt32) {
        self.dom = dom
        self.seconds = seconds
        self.nseconds = nseconds
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        seconds = try d.int64()
        nseconds = try d.uint32()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        e.int64(seconds)
        e.uint32(nseconds)
        e.uint32(flags)
    }
}
