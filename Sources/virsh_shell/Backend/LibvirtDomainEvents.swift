import CLibvirt
import Foundation
import libvirt_abi

// Domain events through libvirt's client library: one C callback per
// callback type of libvirt-domain.h, each turning its arguments into a
// `VirshDomainEvent` for the handler its registration holds. libvirt runs
// them on the event loop thread `LibvirtLibrary.ready` started.

/// What a registration hands libvirt as its `opaque`: the event id and the
/// handler, retained until libvirt frees it (`freecb`).
private final class LibvirtEventSink: Sendable {
    let eventID: Int32
    let handler: @Sendable (VirshDomainEvent) -> Void

    init(eventID: Int32, handler: @escaping @Sendable (VirshDomainEvent) -> Void) {
        self.eventID = eventID
        self.handler = handler
    }

    static func deliver(_ opaque: UnsafeMutableRawPointer?, _ dom: OpaquePointer?, _ kind: VirshDomainEvent.Kind) {
        guard let opaque else { return }
        let sink = Unmanaged<LibvirtEventSink>.fromOpaque(opaque).takeUnretainedValue()
        let name = dom.flatMap { api.virDomainGetName($0) }.map { String(cString: $0) } ?? ""
        sink.handler(VirshDomainEvent(eventID: sink.eventID, domainName: name, kind: kind))
    }
}

private func text(_ p: UnsafePointer<CChar>?) -> String? { p.map { String(cString: $0) } }

private let freeSink: @convention(c) (UnsafeMutableRawPointer?) -> Void = { opaque in
    guard let opaque else { return }
    Unmanaged<LibvirtEventSink>.fromOpaque(opaque).release()
}

private let genericCallback: @convention(c) (OpaquePointer?, OpaquePointer?, UnsafeMutableRawPointer?) -> Void = {
    LibvirtEventSink.deliver($2, $1, .generic)
}
private let intCallback: @convention(c) (OpaquePointer?, OpaquePointer?, Int32, UnsafeMutableRawPointer?) -> Void = {
    LibvirtEventSink.deliver($3, $1, .generic)
}
private let lifecycleCallback: @convention(c) (OpaquePointer?, OpaquePointer?, Int32, Int32, UnsafeMutableRawPointer?) -> Void = {
    LibvirtEventSink.deliver($4, $1, .lifecycle(event: $2, detail: $3))
}
private let rtcChangeCallback: @convention(c) (OpaquePointer?, OpaquePointer?, Int64, UnsafeMutableRawPointer?) -> Void = {
    LibvirtEventSink.deliver($3, $1, .rtcChange(utcOffset: $2))
}
private let watchdogCallback: @convention(c) (OpaquePointer?, OpaquePointer?, Int32, UnsafeMutableRawPointer?) -> Void = {
    LibvirtEventSink.deliver($3, $1, .watchdog(action: $2))
}
private let ioErrorCallback: @convention(c) (OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32,
                                             UnsafeMutableRawPointer?) -> Void = {
    LibvirtEventSink.deliver($5, $1, .ioError(srcPath: text($2) ?? "", devAlias: text($3) ?? "", action: $4))
}
private let graphicsCallback: @convention(c) (OpaquePointer?, OpaquePointer?, Int32, UnsafePointer<virDomainEventGraphicsAddress>?,
                                              UnsafePointer<virDomainEventGraphicsAddress>?, UnsafePointer<CChar>?,
                                              UnsafePointer<virDomainEventGraphicsSubject>?, UnsafeMutableRawPointer?) -> Void = {
    func address(_ a: UnsafePointer<virDomainEventGraphicsAddress>?) -> VirshDomainEvent.GraphicsAddress {
        VirshDomainEvent.GraphicsAddress(family: a?.pointee.family ?? 0, node: text(a?.pointee.node) ?? "",
                                         service: text(a?.pointee.service) ?? "")
    }
    var identities: [(type: String, name: String)] = []
    if let s = $6?.pointee, let ids = s.identities {
        for i in 0..<Int(max(s.nidentity, 0)) {
            identities.append((text(ids[i].type) ?? "", text(ids[i].name) ?? ""))
        }
    }
    LibvirtEventSink.deliver($7, $1, .graphics(phase: $2, local: address($3), remote: address($4), authScheme: text($5) ?? "",
                                               identities: identities))
}
private let ioErrorReasonCallback: @convention(c) (OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32,
                                                   UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
    LibvirtEventSink.deliver($6, $1, .ioErrorReason(srcPath: text($2) ?? "", devAlias: text($3) ?? "", action: $4,
                                                    reason: text($5) ?? ""))
}
private let blockJobCallback: @convention(c) (OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32, Int32,
                                              UnsafeMutableRawPointer?) -> Void = {
    LibvirtEventSink.deliver($5, $1, .blockJob(disk: text($2) ?? "", type: $3, status: $4))
}
private let diskChangeCallback: @convention(c) (OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?,
                                                UnsafePointer<CChar>?, Int32, UnsafeMutableRawPointer?) -> Void = {
    LibvirtEventSink.deliver($6, $1, .diskChange(oldSrc: text($2), newSrc: text($3), alias: text($4) ?? "", reason: $5))
}
private let trayChangeCallback: @convention(c) (OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, Int32,
                                                UnsafeMutableRawPointer?) -> Void = {
    LibvirtEventSink.deliver($4, $1, .trayChange(alias: text($2) ?? "", reason: $3))
}
private let balloonChangeCallback: @convention(c) (OpaquePointer?, OpaquePointer?, UInt64, UnsafeMutableRawPointer?) -> Void = {
    LibvirtEventSink.deliver($3, $1, .balloonChange(actual: $2))
}
private let aliasCallback: @convention(c) (OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
    guard let opaque = $3 else { return }
    let alias = text($2) ?? ""
    let kind: VirshDomainEvent.Kind
    switch Unmanaged<LibvirtEventSink>.fromOpaque(opaque).takeUnretainedValue().eventID {
    case DomainEventID.deviceAdded.rawValue: kind = .deviceAdded(alias: alias)
    case DomainEventID.deviceRemovalFailed.rawValue: kind = .deviceRemovalFailed(alias: alias)
    default: kind = .deviceRemoved(alias: alias)
    }
    LibvirtEventSink.deliver(opaque, $1, kind)
}
private let paramsCallback: @convention(c) (OpaquePointer?, OpaquePointer?, virTypedParameterPtr?, Int32,
                                            UnsafeMutableRawPointer?) -> Void = {
    guard let opaque = $4 else { return }
    let params = CTypedParams.decode($2, $3)
    let isJob = Unmanaged<LibvirtEventSink>.fromOpaque(opaque).takeUnretainedValue().eventID == DomainEventID.jobCompleted.rawValue
    LibvirtEventSink.deliver(opaque, $1, isJob ? .jobCompleted(params) : .tunable(params))
}
private let agentLifecycleCallback: @convention(c) (OpaquePointer?, OpaquePointer?, Int32, Int32, UnsafeMutableRawPointer?) -> Void = {
    LibvirtEventSink.deliver($4, $1, .agentLifecycle(state: $2, reason: $3))
}
private let migrationIterationCallback: @convention(c) (OpaquePointer?, OpaquePointer?, Int32, UnsafeMutableRawPointer?) -> Void = {
    LibvirtEventSink.deliver($3, $1, .migrationIteration($2))
}
private let metadataChangeCallback: @convention(c) (OpaquePointer?, OpaquePointer?, Int32, UnsafePointer<CChar>?,
                                                    UnsafeMutableRawPointer?) -> Void = {
    LibvirtEventSink.deliver($4, $1, .metadataChange(type: $2, nsuri: text($3)))
}
private let blockThresholdCallback: @convention(c) (OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?,
                                                    UInt64, UInt64, UnsafeMutableRawPointer?) -> Void = {
    LibvirtEventSink.deliver($6, $1, .blockThreshold(dev: text($2) ?? "", path: text($3), threshold: $4, excess: $5))
}
private let memoryFailureCallback: @convention(c) (OpaquePointer?, OpaquePointer?, Int32, Int32, UInt32,
                                                   UnsafeMutableRawPointer?) -> Void = {
    LibvirtEventSink.deliver($5, $1, .memoryFailure(recipient: $2, action: $3, flags: $4))
}
private let memoryDeviceSizeChangeCallback: @convention(c) (OpaquePointer?, OpaquePointer?, UnsafePointer<CChar>?, UInt64,
                                                            UnsafeMutableRawPointer?) -> Void = {
    LibvirtEventSink.deliver($4, $1, .memoryDeviceSizeChange(alias: text($2) ?? "", size: $3))
}

/// The C callback for an event id, as the generic type libvirt's
/// registration takes (`VIR_DOMAIN_EVENT_CALLBACK`).
private func callback(for eventID: DomainEventID) -> virConnectDomainEventGenericCallback {
    func generic<F>(_ f: F) -> virConnectDomainEventGenericCallback { unsafeBitCast(f, to: virConnectDomainEventGenericCallback.self) }
    switch eventID {
    case .lifecycle: return generic(lifecycleCallback)
    case .reboot, .controlError: return genericCallback
    case .rtcChange: return generic(rtcChangeCallback)
    case .watchdog: return generic(watchdogCallback)
    case .ioError: return generic(ioErrorCallback)
    case .graphics: return generic(graphicsCallback)
    case .ioErrorReason: return generic(ioErrorReasonCallback)
    case .blockJob, .blockJob2: return generic(blockJobCallback)
    case .diskChange: return generic(diskChangeCallback)
    case .trayChange: return generic(trayChangeCallback)
    case .pmWakeup, .pmSuspend, .pmSuspendDisk: return generic(intCallback)
    case .balloonChange: return generic(balloonChangeCallback)
    case .deviceRemoved, .deviceAdded, .deviceRemovalFailed: return generic(aliasCallback)
    case .tunable, .jobCompleted: return generic(paramsCallback)
    case .agentLifecycle: return generic(agentLifecycleCallback)
    case .migrationIteration: return generic(migrationIterationCallback)
    case .metadataChange: return generic(metadataChangeCallback)
    case .blockThreshold: return generic(blockThresholdCallback)
    case .memoryFailure: return generic(memoryFailureCallback)
    case .memoryDeviceSizeChange: return generic(memoryDeviceSizeChangeCallback)
    }
}

extension LibvirtConnection {
    func registerDomainEvent(_ eventID: Int32, domain: (any VirshDomain)?,
                             _ handler: @escaping @Sendable (VirshDomainEvent) -> Void) async throws(VirshError) -> Int32 {
        guard let id = DomainEventID(rawValue: eventID) else {
            throw VirshError(code: .invalidArg, message: "eventID in virConnectDomainEventRegisterAny must be less than \(DomainEventID.memoryDeviceSizeChange.rawValue + 1)")
        }
        let sink = Unmanaged.passRetained(LibvirtEventSink(eventID: eventID, handler: handler)).toOpaque()
        let dom = (domain as? LibvirtDomain)?.ptr
        let callbackID = api.virConnectDomainEventRegisterAny(ptr, dom, eventID, callback(for: id), sink, freeSink)
        guard callbackID >= 0 else {
            let error = LibvirtLibrary.lastError()
            Unmanaged<LibvirtEventSink>.fromOpaque(sink).release()
            throw error
        }
        return callbackID
    }

    func deregisterDomainEvent(_ callbackID: Int32) async throws(VirshError) {
        guard api.virConnectDomainEventDeregisterAny(ptr, callbackID) == 0 else { throw LibvirtLibrary.lastError() }
    }
}
