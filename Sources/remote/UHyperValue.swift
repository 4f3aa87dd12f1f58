/// A single `unsigned hyper`: `remote_connect_get_version_ret`,
/// `remote_connect_get_lib_version_ret`, `remote_domain_get_max_memory_ret`.
public struct UHyperValue: XDRCodable, Hashable {
    public var value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public init(from d: inout XDRDecoder) throws(RemoteError) { value = try d.uint64() }
    public func encode(to e: inout XDREncoder) throws(RemoteError) { e.uint64(value) }
}
