/// A migration-iteration event for one registered callback, sent by the
/// server as a `VIR_NET_MESSAGE` with procedure
/// `REMOTE_PROC_DOMAIN_EVENT_CALLBACK_MIGRATION_ITERATION`.
///
/// libvirt: `remote_domain_event_callback_migration_iteration_msg`;
/// `remoteRelayDomainEventMigrationIteration`.
public struct DomainEventCallbackMigrationIterationMsg: XDRCodable, Hashable {
    public var callbackID: Int32
    public var dom: RemoteDomain
    public var iteration: Int32
    public init(callbackID: Int32, dom: RemoteDomain, iteration: Int32) {
        self.callbackID = callbackID
        self.dom = dom
        self.iteration = iteration
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        callbackID = try d.int32()
        dom = try d.decode()
        iteration = try d.int32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        e.int32(callbackID)
        try e.encode(dom)
        e.int32(iteration)
    }

    /// The event message itself.
    public func message() throws(RemoteError) -> RemoteMessage {
        try RemoteMessage(event: .domainEventCallbackMigrationIteration, body: self)
    }
}
