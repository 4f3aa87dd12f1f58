/// The args of every procedure that takes a domain and flags.
///
/// libvirt: `remote_domain_get_state_args`, `remote_domain_get_xml_desc_args`,
/// `remote_domain_undefine_flags_args`, `remote_domain_destroy_flags_args`,
/// `remote_domain_create_with_flags_args`, `remote_domain_get_job_stats_args`,
/// `remote_domain_abort_job_flags_args`, ... (all
/// `{ remote_nonnull_domain dom; unsigned int flags; }`).
public struct DomainFlagsArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var flags: UInt32
    public init(dom: RemoteDomain, flags: UInt32 = 0) {
        self.dom = dom
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        e.uint32(flags)
    }
}
