/// A string and flags: `remote_domain_define_xml_flags_args` (`xml`),
/// `remote_domain_create_xml_args` (`xml_desc`).
public struct StringFlagsArgs: XDRCodable, Hashable {
    public var value: String
    public var flags: UInt32
    public init(_ value: String, flags: UInt32 = 0) {
        self.value = value
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        value = try d.string()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.string(value)
        e.uint32(flags)
    }
}
