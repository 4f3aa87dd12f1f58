/// A single `remote_nonnull_string`: `remote_connect_get_type_ret`,
/// `remote_connect_get_hostname_ret`, `remote_connect_get_uri_ret`,
/// `remote_connect_get_capabilities_ret`, `remote_domain_get_xml_desc_ret`,
/// `remote_domain_get_os_type_ret`, `remote_domain_lookup_by_name_args`.
public struct StringValue: XDRCodable, Hashable {
    public var value: String
    public init(_ value: String) { self.value = value }
    public init(from d: inout XDRDecoder) throws(RemoteError) { value = try d.string() }
    public func encode(to e: inout XDREncoder) throws(RemoteError) { try e.string(value) }
}
