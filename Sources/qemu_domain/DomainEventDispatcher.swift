import Dispatch
import Synchronization
import domain_conf
import libvirt_abi

/// Lifecycle events of the driver's domains, delivered in order to every
/// registered callback on one serial queue (never under a domain's lock).
///
/// libvirt: `virObjectEventState` (src/conf/object_event.c) with
/// `virDomainEventLifecycleNew`.
public final class DomainEventDispatcher: Sendable {
    /// One lifecycle event.
    public struct Event: Sendable, Equatable {
        public let name: String
        public let uuid: DomainUUID
        /// The instance's id, if it runs.
        public let id: Int?
        public let event: LifecycleEvent

        public init(name: String, uuid: DomainUUID, id: Int?, event: LifecycleEvent) {
            self.name = name
            self.uuid = uuid
            self.id = id
            self.event = event
        }
    }

    private struct State {
        var next = 1
        var callbacks: [Int: @Sendable (Event) -> Void] = [:]
    }
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "domain-events")

    public init() {}

    /// Registers a callback. Returns its id.
    ///
    /// libvirt: `virConnectDomainEventRegisterAny`.
    @discardableResult
    public func register(_ callback: @escaping @Sendable (Event) -> Void) -> Int {
        state.withLock { s in
            let id = s.next
            s.next += 1
            s.callbacks[id] = callback
            return id
        }
    }

    /// libvirt: `virConnectDomainEventDeregisterAny`. Returns whether the id was known.
    @discardableResult
    public func deregister(_ id: Int) -> Bool {
        state.withLock { $0.callbacks.removeValue(forKey: id) != nil }
    }

    /// Queues an event for every callback.
    public func emit(_ event: Event) {
        let callbacks = state.withLock { Array($0.callbacks.sorted { $0.key < $1.key }.map(\.value)) }
        guard !callbacks.isEmpty else { return }
        queue.async {
            for cb in callbacks { cb(event) }
        }
    }

    /// Waits until every event queued so far has been delivered.
    public func flush() {
        queue.sync {}
    }
}
