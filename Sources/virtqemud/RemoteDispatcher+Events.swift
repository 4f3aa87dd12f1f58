import Foundation
import libvirt_abi
import qemu_domain
import qemu_driver
import remote

/// Domain event callbacks: registration per client, delivery as
/// `REMOTE_PROC_DOMAIN_EVENT_CALLBACK_*` messages.
extension RemoteDispatcher {
    /// `VIR_DOMAIN_EVENT_ID_LAST` in libvirt 9.0.
    static let eventIDLast: Int32 = 27

    /// Registers a callback for `eventID`, optionally for one domain.
    /// Lifecycle, migration-iteration, job-completed, device-added,
    /// device-removed and metadata-change events are delivered; the other event ids are accepted (as libvirtd does) but
    /// this driver never emits them.
    ///
    /// libvirt: `remoteDispatchConnectDomainEventCallbackRegisterAny`,
    /// `remoteRelayDomainEventLifecycle`, `remoteRelayDomainEventMigrationIteration`,
    /// `remoteRelayDomainEventJobCompleted`, `remoteRelayDomainEventDeviceAdded`,
    /// `remoteRelayDomainEventDeviceRemoved`, `remoteRelayDomainEventMetadataChange`.
    static func registerEvent(_ a: EventCallbackRegisterAnyArgs, _ client: DaemonClient,
                              _ conn: QemuConnection) throws(RemoteError) -> IntValue {
        guard a.eventID >= 0, a.eventID < eventIDLast else {
            throw RemoteError(.internalError, "unsupported event ID \(a.eventID)")
        }
        let filter = a.dom?.uuid
        let callbackID = client.state.withLock { s -> Int32? in
            guard s.callbacks.count < DaemonClient.maxEventCallbacks else { return nil }
            defer { s.nextCallbackID &+= 1 }
            return s.nextCallbackID
        }
        guard let callbackID else {
            throw RemoteError(.operationFailed, "too many event callbacks registered by this client (at most \(DaemonClient.maxEventCallbacks))")
        }
        var driverID: Int?
        if let id = DomainEventID(rawValue: a.eventID), DomainEventDispatcher.emitted.contains(id) {
            driverID = conn.registerEvents(id) { [weak client] ev in
                guard let client else { return }
                if let filter, filter != ev.uuid { return }
                let dom = RemoteDomain(name: ev.name, uuid: ev.uuid, id: ev.id.map { Int32(clamping: $0) } ?? -1)
                do {
                    switch ev.kind {
                    case .lifecycle(let e):
                        client.send(try DomainEventCallbackLifecycleMsg(callbackID: callbackID, dom: dom,
                                                                        event: e.type, detail: e.detail).message())
                    case .migrationIteration(let n):
                        client.send(try DomainEventCallbackMigrationIterationMsg(callbackID: callbackID, dom: dom,
                                                                                 iteration: n).message())
                    case .deviceAdded(let alias), .deviceRemoved(let alias):
                        let added = ev.kind.id == .deviceAdded
                        client.send(try DomainEventCallbackDeviceMsg(callbackID: callbackID, dom: dom, devAlias: alias)
                            .message(added: added))
                    case .metadataChange(let type, let nsuri):
                        client.send(try DomainEventCallbackMetadataChangeMsg(callbackID: callbackID, dom: dom, type: type,
                                                                             nsuri: nsuri).message())
                    case .jobCompleted(let params):
                        let sent = Array(params.prefix(RemoteProtocolLimits.jobStatsMax))
                        client.send(try DomainEventCallbackJobCompletedMsg(callbackID: callbackID, dom: dom,
                                                                           params: sent).message())
                    }
                } catch {
                    client.logger.error("cannot encode a \(ev.kind.id) event of \(ev.name): \(error)")
                }
            }
        }
        let kept = client.state.withLock { s -> Bool in
            guard !s.gone else { return false }
            s.callbacks[callbackID] = DaemonClient.EventCallback(eventID: a.eventID, driverID: driverID)
            return true
        }
        if !kept, let driverID { conn.deregisterEvents(driverID) }
        return IntValue(callbackID)
    }

    /// libvirt: `remoteDispatchConnectDomainEventCallbackDeregisterAny`
    /// ("domain event callback %d not registered").
    static func deregisterEvent(_ id: Int32, _ client: DaemonClient, _ conn: QemuConnection) throws(RemoteError) -> XDRVoid {
        guard let cb = client.state.withLock({ $0.callbacks.removeValue(forKey: id) }) else {
            throw RemoteError(.internalError, "domain event callback \(id) not registered")
        }
        if let d = cb.driverID { conn.deregisterEvents(d) }
        return XDRVoid()
    }
}
