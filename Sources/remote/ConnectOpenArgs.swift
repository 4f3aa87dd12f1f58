/// libvirt: `remote_connect_open_args` (the URI the client asked for,
/// transport and socket parameters removed; may be absent).
public struct ConnectOpenArgs: XDRCodable, Hashable {
    public var name: String?
    /// `virConnectFlags` (`VIR_CONNECT_RO` = 1).
    public var flags: UInt32
    public init(name: String?, flags: UInt32 = 0) {
        self.name = name
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        name = try d.optionalString()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.optionalString(name)
        e.uint32(flags)
    }
}
