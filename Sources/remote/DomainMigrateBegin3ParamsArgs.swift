import libvirt_abi

/// libvirt: `remote_domain_migrate_begin3_params_args`.
public struct DomainMigrateBegin3ParamsArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var params: [TypedParameter]
    public var flags: UInt32
    public init(dom: RemoteDomain, params: [TypedParameter], flags: UInt32) {
        self.dom = dom
        self.params = params
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        params = try MigrateParams.decode(&d)
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        try MigrateParams.encode(params, &e)
        e.uint32(flags)
    }
}
