import libvirt_abi

/// libvirt: `remote_domain_migrate_prepare3_params_args`.
public struct DomainMigratePrepare3ParamsArgs: XDRCodable, Hashable {
    public var params: [TypedParameter]
    public var cookieIn: [UInt8]
    public var flags: UInt32
    public init(params: [TypedParameter], cookieIn: [UInt8], flags: UInt32) {
        self.params = params
        self.cookieIn = cookieIn
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        params = try MigrateParams.decode(&d)
        cookieIn = try MigrateParams.decodeCookie(&d)
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try MigrateParams.encode(params, &e)
        try MigrateParams.encodeCookie(cookieIn, &e)
        e.uint32(flags)
    }
}
