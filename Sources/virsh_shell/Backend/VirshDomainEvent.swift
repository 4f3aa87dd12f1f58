import libvirt_abi

/// One domain event as a connection delivers it to `event`: the domain's
/// name and what the event's callback received.
///
/// libvirt: the arguments of the `virConnectDomainEvent*Callback` types
/// (include/libvirt/libvirt-domain.h).
struct VirshDomainEvent: Sendable {
    enum Kind: Sendable {
        /// The callbacks that receive nothing but the domain (reboot,
        /// control-error, pm-wakeup, pm-suspend, pm-suspend-disk).
        case generic
        case lifecycle(event: Int32, detail: Int32)
        case rtcChange(utcOffset: Int64)
        case watchdog(action: Int32)
        case ioError(srcPath: String, devAlias: String, action: Int32)
        case graphics(phase: Int32, local: GraphicsAddress, remote: GraphicsAddress, authScheme: String,
                      identities: [(type: String, name: String)])
        case ioErrorReason(srcPath: String, devAlias: String, action: Int32, reason: String)
        case blockJob(disk: String, type: Int32, status: Int32)
        case diskChange(oldSrc: String?, newSrc: String?, alias: String, reason: Int32)
        case trayChange(alias: String, reason: Int32)
        case balloonChange(actual: UInt64)
        case deviceRemoved(alias: String)
        case tunable([TypedParameter])
        case agentLifecycle(state: Int32, reason: Int32)
        case deviceAdded(alias: String)
        case migrationIteration(Int32)
        case jobCompleted([TypedParameter])
        case deviceRemovalFailed(alias: String)
        case metadataChange(type: Int32, nsuri: String?)
        case blockThreshold(dev: String, path: String?, threshold: UInt64, excess: UInt64)
        case memoryFailure(recipient: Int32, action: Int32, flags: UInt32)
        case memoryDeviceSizeChange(alias: String, size: UInt64)
    }

    /// A graphics event's address (`virDomainEventGraphicsAddress`).
    struct GraphicsAddress: Sendable {
        let family: Int32
        let node: String
        let service: String
    }

    /// The event id it was registered for (`VIR_DOMAIN_EVENT_ID_*`).
    let eventID: Int32
    let domainName: String
    let kind: Kind
}
