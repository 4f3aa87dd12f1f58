/// libvirt: `remote_domain_get_guest_info_args`.
public struct DomainGetGuestInfoArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    /// `virDomainGuestInfoTypes`.
    public var types: UInt32
    public var flags: UInt32
    public init(dom: RemoteDomain, types: UInt32, flags: UInt32 = 0) {
        self.dom = dom
        self.types = types
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        types = try d.uint32()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        e.uint32(types)
        e.uint32(flags)
    }
}
