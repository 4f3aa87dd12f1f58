/// A metadata-change event for one registered callback, sent by the
/// server as a `VIR_NET_MESSAGE` with procedure
/// `REMOTE_PROC_DOMAIN_EVENT_CALLBACK_METADATA_CHANGE`.
///
/// libvirt: `remote_domain_event_callback_metadata_change_msg`;
/// `remoteRelayDomainEventMetadataChange`.
public struct DomainEventCallbackMetadataChangeMsg: XDRCodable, Hashable {
    public var callbackID: Int32
    public var dom: RemoteDomain
    public var type: Int32
    public var nsuri: String?
    public init(callbackID: Int32, dom: RemoteDomain, type: Int32, nsuri: String?) {
        self.callbackID = callbackID
        self.dom = dom
        self.type = type
        self.nsuri = nsuri
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        callbackID = try d.int32()
        dom = try d.decode()
        type = try d.int32()
        nsuri = try d.optionalString()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        e.int32(callbackID)
        try e.encode(dom)
        e.int32(type)
        try e.optionalString(nsuri)
    }

    /// The event message itself.
    public func message() throws(RemoteError) -> RemoteMessage {
        try RemoteMessage(event: .domainEventCallbackMetadataChange, body: self)
    }
}
