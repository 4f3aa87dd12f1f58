/// A lifecycle event for one registered callback, sent by the server as a
/// `VIR_NET_MESSAGE` (serial 1) with procedure
/// `REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE`.
///
/// libvirt: `remote_domain_event_callback_lifecycle_msg` wrapping
/// `remote_domain_event_lifecycle_msg`; `remoteRelayDomainEventLifecycle`.
public struct DomainEventCallbackLifecycleMsg: XDRCodable, Hashable {
    public var callbackID: Int32
    public var dom: RemoteDomain
    /// `virDomainEventType`.
    public var event: Int32
    /// The type's detail enum.
    public var detail: Int32
    public init(callbackID: Int32, dom: RemoteDomain, event: Int32, detail: Int32) {
        self.callbackID = callbackID
        self.dom = dom
        self.event = event
        self.detail = detail
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        callbackID = try d.int32()
        dom = try d.decode()
        event = try d.int32()
        detail = try d.int32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        e.int32(callbackID)
        try e.encode(dom)
        e.int32(event)
        e.int32(detail)
    }

    /// The event message itself.
    public func message() throws(RemoteError) -> RemoteMessage {
        try RemoteMessage(event: .domainEventCallbackLifecycle, body: self)
    }
}
