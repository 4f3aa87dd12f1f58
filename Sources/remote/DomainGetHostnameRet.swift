/// libvirt: `remote_domain_get_hostname_ret`.
public struct DomainGetHostnameRet: XDRCodable, Hashable {
    public var hostname: String
    public init(hostname: String) { self.hostname = hostname }
    public init(from d: inout XDRDecoder) throws(RemoteError) { hostname = try d.string() }
    public func encode(to e: inout XDREncoder) throws(RemoteError) { try e.string(hostname) }
}
