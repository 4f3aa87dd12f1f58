/// libvirt: `remote_domain_screenshot_args` (`remote_nonnull_domain dom;
/// unsigned int screen; unsigned int flags;`).
public struct DomainScreenshotArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var screen: UInt32
    public var flags: UInt32

    public init(dom: RemoteDomain, screen: UInt32, flags: UInt32 = 0) {
        self.dom = dom
        self.screen = screen
        self.flags = flags
    }

    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        screen = try d.uint32()
        flags = try d.uint32()
    }

    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        e.uint32(screen)
        e.uint32(flags)
    }
}
