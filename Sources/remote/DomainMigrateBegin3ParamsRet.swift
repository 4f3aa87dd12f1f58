/// libvirt: `remote_domain_migrate_begin3_params_ret`.
public struct DomainMigrateBegin3ParamsRet: XDRCodable, Hashable {
    public var cookieOut: [UInt8]
    public var xml: String
    public init(cookieOut: [UInt8], xml: String) {
        self.cookieOut = cookieOut
        self.xml = xml
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        cookieOut = try MigrateParams.decodeCookie(&d)
        xml = try d.string()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try MigrateParams.encodeCookie(cookieOut, &e)
        try e.string(xml)
    }
}
