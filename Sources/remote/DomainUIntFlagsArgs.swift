/// The args of procedures that take a domain, one `unsigned int` and
/// flags.
///
/// libvirt: `remote_domain_set_vcpus_flags_args` (`nvcpus`).
public struct DomainUIntFlagsArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var value: UInt32
    public var flags: UInt32
    public init(dom: RemoteDomain, value: UInt32, flags: UInt32 = 0) {
        self.dom = dom
        self.value = value
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        value = try d.uint32()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        e.uint32(value)
        e.uint32(flags)
    }
}
