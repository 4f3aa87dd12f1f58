/// A domain and a string: `remote_domain_attach_device_args`,
/// `remote_domain_detach_device_args` (an XML document),
/// `remote_domain_save_args` (the file) and
/// `remote_domain_interface_stats_args` (the device).
public struct DomainXMLArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var xml: String
    public init(dom: RemoteDomain, xml: String) {
        self.dom = dom
        self.xml = xml
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        xml = try d.string()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        try e.string(xml)
    }
}
