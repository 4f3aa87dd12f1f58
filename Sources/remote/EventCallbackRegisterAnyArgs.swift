/// libvirt: `remote_connect_domain_event_callback_register_any_args`
/// (`virDomainEventID`, and an optional domain to filter on).
public struct EventCallbackRegisterAnyArgs: XDRCodable, Hashable {
    public var eventID: Int32
    public var dom: RemoteDomain?
    public init(eventID: Int32, dom: RemoteDomain? = nil) {
        self.eventID = eventID
        self.dom = dom
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        eventID = try d.int32()
        dom = try d.optional(RemoteDomain.self)
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        e.int32(eventID)
        try e.optional(dom)
    }
}
