/// libvirt: `remote_domain_send_key_args` (`remote_nonnull_domain dom;
/// unsigned int codeset; unsigned int holdtime; unsigned int
/// keycodes<REMOTE_DOMAIN_SEND_KEY_MAX>; unsigned int flags;`).
public struct DomainSendKeyArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var codeset: UInt32
    public var holdtime: UInt32
    public var keycodes: [UInt32]
    public var flags: UInt32

    public init(dom: RemoteDomain, codeset: UInt32, holdtime: UInt32, keycodes: [UInt32], flags: UInt32 = 0) {
        self.dom = dom
        self.codeset = codeset
        self.holdtime = holdtime
        self.keycodes = keycodes
        self.flags = flags
    }

    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        codeset = try d.uint32()
        holdtime = try d.uint32()
        keycodes = try d.array(UIntValue.self, max: RemoteProtocolLimits.domainSendKeyMax).map(\.value)
        flags = try d.uint32()
    }

    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        e.uint32(codeset)
        e.uint32(holdtime)
        try e.array(keycodes.map(UIntValue.init), max: RemoteProtocolLimits.domainSendKeyMax)
        e.uint32(flags)
    }
}
