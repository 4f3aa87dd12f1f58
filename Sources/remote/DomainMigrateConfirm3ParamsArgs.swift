import libvirt_abi

/// libvirt: `remote_domain_migrate_confirm3_params_args`.
public struct DomainMigrateConfirm3ParamsArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var params: [TypedParameter]
    public var cookieIn: [UInt8]
    public var flags: UInt32
    public var cancelled: Int32
    public init(dom: RemoteDomain, params: [TypedParameter], cookieIn: [UInt8], flags: UInt32, cancelled: Bool) {
        self.dom = dom
        self.params = params
        self.cookieIn = cookieIn
        self.flags = flags
        self.cancelled = cancelled ? 1 : 0
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        params = try MigrateParams.decode(&d)
        cookieIn = try MigrateParams.decodeCookie(&d)
        flags = try d.uint32()
        cancelled = try d.int32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        try MigrateParams.encode(params, &e)
        try MigrateParams.encodeCookie(cookieIn, &e)
        e.uint32(flags)
        e.int32(cancelled)
    }
}
