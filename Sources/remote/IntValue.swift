/// A single `int`: the args or return of procedures such as
/// `remote_connect_supports_feature_args/ret`, `remote_domain_is_active_ret`,
/// `remote_domain_is_persistent_ret`, `remote_domain_get_autostart_ret`,
/// `remote_domain_has_managed_save_image_ret`, `remote_connect_is_secure_ret`,
/// `remote_connect_num_of_domains_ret`, `remote_domain_lookup_by_id_args`,
/// `remote_connect_domain_event_callback_register_any_ret`.
public struct IntValue: XDRCodable, Hashable {
    public var value: Int32
    public init(_ value: Int32) { self.value = value }
    public init(from d: inout XDRDecoder) throws(RemoteError) { value = try d.int32() }
    public func encode(to e: inout XDREncoder) throws(RemoteError) { e.int32(value) }
}
