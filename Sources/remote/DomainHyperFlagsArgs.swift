/// The args of procedures that take a domain, one `unsigned hyper` and
/// flags.
///
/// libvirt: `remote_domain_migrate_set_max_downtime_args` (`downtime`),
/// `remote_domain_migrate_set_max_speed_args` (`bandwidth`).
public struct DomainHyperFlagsArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var value: UInt64
    public var flags: UInt32
    public init(dom: RemoteDomain, value: UInt64, flags: UInt32 = 0) {
        self.dom = dom
        self.value = value
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        value = try d.uint64()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        e.uint64(value)
        e.uint32(flags)
    }
}
