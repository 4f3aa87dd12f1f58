import libvirt_abi

/// libvirt: `remote_domain_migrate_perform3_params_args` (`dconnuri` is
/// set for peer-to-peer migration).
public struct DomainMigratePerform3ParamsArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var dconnuri: String?
    public var params: [TypedParameter]
    public var cookieIn: [UInt8]
    public var flags: UInt32
    public init(dom: RemoteDomain, dconnuri: String?, params: [TypedParameter], cookieIn: [UInt8], flags: UInt32) {
        self.dom = dom
        self.dconnuri = dconnuri
        self.params = params
        self.cookieIn = cookieIn
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        dconnuri = try d.optionalString()
        params = try MigrateParams.decode(&d)
        cookieIn = try MigrateParams.decodeCookie(&d)
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        try e.optionalString(dconnuri)
        try MigrateParams.encode(params, &e)
        try MigrateParams.encodeCookie(cookieIn, &e)
        e.uint32(flags)
    }
}
