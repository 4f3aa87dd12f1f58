/// `remote_connect_domain_xml_to_native_args`: a native format's name,
/// a domain's XML, flags.
public struct ConnectDomainXMLToNativeArgs: XDRCodable, Hashable {
    public var nativeFormat: String
    public var domainXML: String
    public var flags: UInt32
    public init(nativeFormat: String, domainXML: String, flags: UInt32 = 0) {
        self.nativeFormat = nativeFormat
        self.domainXML = domainXML
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        nativeFormat = try d.string()
        domainXML = try d.string()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.string(nativeFormat)
        try e.string(domainXML)
        e.uint32(flags)
    }
}
