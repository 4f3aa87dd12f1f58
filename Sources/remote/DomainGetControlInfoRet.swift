/// libvirt: `remote_domain_get_control_info_ret` (`virDomainControlInfo`).
public struct DomainGetControlInfoRet: XDRCodable, Hashable {
    /// `virDomainControlState`: 0 ok, 1 job, 2 occupied, 3 error.
    public var state: UInt32
    public var details: UInt32
    /// Milliseconds in the state.
    public var stateTime: UInt64
    public init(state: UInt32, details: UInt32, stateTime: UInt64) {
        self.state = state
        self.details = details
        self.stateTime = stateTime
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        state = try d.uint32()
        details = try d.uint32()
        stateTime = try d.uint64()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        e.uint32(state)
        e.uint32(details)
        e.uint64(stateTime)
    }
}
