import libvirt_abi

/// A job-completed event for one registered callback, the job's
/// statistics as typed parameters, sent by the server as a
/// `VIR_NET_MESSAGE` with procedure
/// `REMOTE_PROC_DOMAIN_EVENT_CALLBACK_JOB_COMPLETED`.
///
/// libvirt: `remote_domain_event_callback_job_completed_msg`;
/// `remoteRelayDomainEventJobCompleted`.
public struct DomainEventCallbackJobCompletedMsg: XDRCodable, Hashable {
    public var callbackID: Int32
    public var dom: RemoteDomain
    public var params: [TypedParameter]
    public init(callbackID: Int32, dom: RemoteDomain, params: [TypedParameter]) {
        self.callbackID = callbackID
        self.dom = dom
        self.params = params
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        callbackID = try d.int32()
        dom = try d.decode()
        params = try d.array(TypedParameter.self, max: RemoteProtocolLimits.jobStatsMax, minElementSize: 12)
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        e.int32(callbackID)
        try e.encode(dom)
        try e.array(params, max: RemoteProtocolLimits.jobStatsMax)
    }

    /// The event message itself.
    public func message() throws(RemoteError) -> RemoteMessage {
        try RemoteMessage(event: .domainEventCallbackJobCompleted, body: self)
    }
}
