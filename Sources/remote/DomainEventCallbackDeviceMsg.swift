/// A device-added or device-removed event for one registered callback
/// (the two messages have one layout), sent by the server as a
/// `VIR_NET_MESSAGE` with procedure
/// `REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_ADDED` or
/// `REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED`.
///
/// libvirt: `remote_domain_event_callback_device_added_msg`,
/// `remote_domain_event_callback_device_removed_msg`;
/// `remoteRelayDomainEventDeviceAdded`, `remoteRelayDomainEventDeviceRemoved`.
public struct DomainEventCallbackDeviceMsg: XDRCodable, Hashable {
    public var callbackID: Int32
    public var dom: RemoteDomain
    public var devAlias: String
    public init(callbackID: Int32, dom: RemoteDomain, devAlias: String) {
        self.callbackID = callbackID
        self.dom = dom
        self.devAlias = devAlias
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        callbackID = try d.int32()
        dom = try d.decode()
        devAlias = try d.string()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        e.int32(callbackID)
        try e.encode(dom)
        try e.string(devAlias)
    }

    /// The event message itself: `added`, or removed.
    public func message(added: Bool) throws(RemoteError) -> RemoteMessage {
        try RemoteMessage(event: added ? .domainEventCallbackDeviceAdded : .domainEventCallbackDeviceRemoved, body: self)
    }
}
