/// The args of procedures that take a domain and one `unsigned hyper`.
///
/// libvirt: `remote_domain_set_memory_args`, `remote_domain_set_max_memory_args`
/// (`memory`, KiB).
public struct DomainHyperArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var value: UInt64
    public init(dom: RemoteDomain, value: UInt64) {
        self.dom = dom
        self.value = value
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        value = try d.uint64()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        e.uint64(value)
    }
}
