/// libvirt: `remote_domain_set_autostart_args`.
public struct DomainSetAutostartArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var autostart: Int32
    public init(dom: RemoteDomain, autostart: Bool) {
        self.dom = dom
        self.autostart = autostart ? 1 : 0
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        autostart = try d.int32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        e.int32(autostart)
    }
}
