/// libvirt: `remote_domain_interface_addresses_args`.
public struct DomainInterfaceAddressesArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    /// `virDomainInterfaceAddressesSource`.
    public var source: UInt32
    public var flags: UInt32
    public init(dom: RemoteDomain, source: UInt32, flags: UInt32 = 0) {
        self.dom = dom
        self.source = source
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        source = try d.uint32()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        e.uint32(source)
        e.uint32(flags)
    }
}
