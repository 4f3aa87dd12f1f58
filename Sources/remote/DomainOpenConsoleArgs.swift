/// `remote_domain_open_console_args`: a domain, the character device's
/// alias (optional) and flags.
public struct DomainOpenConsoleArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var devName: String?
    public var flags: UInt32
    public init(dom: RemoteDomain, devName: String?, flags: UInt32 = 0) {
        self.dom = dom
        self.devName = devName
        self.flags = flags
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        devName = try d.optionalString()
        flags = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        try e.optionalString(devName)
        e.uint32(flags)
    }
}
