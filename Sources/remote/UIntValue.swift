/// A single `unsigned int`: `remote_connect_get_sysinfo_args` (its flags).
public struct UIntValue: XDRCodable, Hashable {
    public var value: UInt32
    public init(_ value: UInt32) { self.value = value }
    public init(from d: inout XDRDecoder) throws(RemoteError) { value = try d.uint32() }
    public func encode(to e: inout XDREncoder) throws(RemoteError) { e.uint32(value) }
}
