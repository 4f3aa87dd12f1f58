/// The args of procedures that take a domain and one `unsigned int`.
///
/// libvirt: `remote_domain_set_vcpus_args` (`nvcpus`).
public struct DomainUIntArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var value: UInt32
    public init(dom: RemoteDomain, value: UInt32) {
        self.dom = dom
        self.value = value
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        value = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        e.uint32(value)
    }
}
