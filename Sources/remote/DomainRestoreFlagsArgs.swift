/// `remote_domain_restore_flags_args`: the file, an optional new XML,
/// and flags.
public struct DomainRestoreFlagsArgs: XDRCodable, Hashable {
    public var from: String
    public var dxml: String?
    public var flags: UInt32
    public init(from: String, dxml: String? = nil, flags: UInt32 = 0) {
        self.from = from
        self.dxml = dxml
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        from = try d.string()
        dxml = try d.optionalString()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.string(from)
        try e.optionalString(dxml)
        e.uint32(flags)
    }
}
