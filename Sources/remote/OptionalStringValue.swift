/// A single `remote_string`: `remote_connect_get_max_vcpus_args` (its
/// type, which may be absent).
public struct OptionalStringValue: XDRCodable, Hashable {
    public var value: String?
    public init(_ value: String?) { self.value = value }
    public init(from d: inout XDRDecoder) throws(RemoteError) { value = try d.optionalString() }
    public func encode(to e: inout XDREncoder) throws(RemoteError) { try e.optionalString(value) }
}
