/// The return of every procedure that gives a domain.
///
/// libvirt: `remote_domain_lookup_by_name_ret`, `..._by_uuid_ret`,
/// `..._by_id_ret`, `remote_domain_define_xml_flags_ret`,
/// `remote_domain_create_xml_ret`, `remote_domain_create_with_flags_ret`
/// (all `{ remote_nonnull_domain dom; }`).
public struct DomainRet: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public init(dom: RemoteDomain) { self.dom = dom }
    public init(from d: inout XDRDecoder) throws(RemoteError) { dom = try d.decode() }
    public func encode(to e: inout XDREncoder) throws(RemoteError) { try e.encode(dom) }
}
