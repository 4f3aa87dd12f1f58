/// libvirt: `remote_domain_get_state_ret`.
public struct DomainGetStateRet: XDRCodable, Hashable {
    public var state: Int32
    public var reason: Int32
    public init(state: Int32, reason: Int32) {
        self.state = state
        self.reason = reason
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        state = try d.int32()
        reason = try d.int32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        e.int32(state)
        e.int32(reason)
    }
}
