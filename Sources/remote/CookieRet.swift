/// libvirt: `remote_domain_migrate_perform3_params_ret` (`opaque cookie_out<REMOTE_MIGRATE_COOKIE_MAX>`).
public struct CookieRet: XDRCodable, Hashable {
    public var cookieOut: [UInt8]
    public init(cookieOut: [UInt8]) { self.cookieOut = cookieOut }
    public init(from d: inout XDRDecoder) throws(RemoteError) { cookieOut = try MigrateParams.decodeCookie(&d) }
    public func encode(to e: inout XDREncoder) throws(RemoteError) { try MigrateParams.encodeCookie(cookieOut, &e) }
}
