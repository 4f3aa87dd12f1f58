/// The args of every procedure that takes just a domain.
///
/// libvirt: `remote_domain_create_args`, `remote_domain_destroy_args`,
/// `remote_domain_get_info_args`, `remote_domain_suspend_args`,
/// `remote_domain_resume_args`, `remote_domain_shutdown_args`,
/// `remote_domain_undefine_args`, `remote_domain_is_active_args`, ... (all
/// `{ remote_nonnull_domain dom; }`).
public struct DomainArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public init(dom: RemoteDomain) { self.dom = dom }
    public init(from d: inout XDRDecoder) throws(RemoteError) { dom = try d.decode() }
    public func encode(to e: inout XDREncoder) throws(RemoteError) { try e.encode(dom) }
}
