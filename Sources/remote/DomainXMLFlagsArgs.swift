/// A domain, an XML document and flags:
/// `remote_domain_attach_device_flags_args`,
/// `remote_domain_detach_device_flags_args`.
public struct DomainXMLFlagsArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var xml: String
    public var flags: UInt32
    public init(dom: RemoteDomain, xml: String, flags: UInt32 = 0) {
        self.dom = dom
        self.xml = xml
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        xml = try d.string()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        try e.string(xml)
        e.uint32(flags)
    }
}
