/// libvirt: `remote_domain_migrate_prepare3_params_ret`.
public struct DomainMigratePrepare3ParamsRet: XDRCodable, Hashable {
    public var cookieOut: [UInt8]
    public var uriOut: String?
    public init(cookieOut: [UInt8], uriOut: String?) {
        self.cookieOut = cookieOut
        self.uriOut = uriOut
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        cookieOut = try MigrateParams.decodeCookie(&d)
        uriOut = try d.optionalString()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try MigrateParams.encodeCookie(cookieOut, &e)
        try e.optionalString(uriOut)
    }
}
