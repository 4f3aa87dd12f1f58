/// libvirt: `remote_domain_migrate_finish3_params_ret`.
public struct DomainMigrateFinish3ParamsRet: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var cookieOut: [UInt8]
    public init(dom: RemoteDomain, cookieOut: [UInt8]) {
        self.dom = dom
        self.cookieOut = cookieOut
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        cookieOut = try MigrateParams.decodeCookie(&d)
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        try MigrateParams.encodeCookie(cookieOut, &e)
    }
}
