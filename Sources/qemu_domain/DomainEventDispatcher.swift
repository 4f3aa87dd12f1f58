import Dispatch
import Synchronization
import domain_conf
import libvirt_abi

/// The events of the driver's domains, delivered in order to every
/// registered callback of their kind on one serial queue (never under a
/// domain's lock).
///
/// libvirt: `virObjectEventState` (src/conf/object_event.c) with
/// `virDomainEventLifecycleNew`, `virDomainEventMigrationIterationNew`,
/// `virDomainEventJobCompletedNew`, `virDomainEventDeviceAddedNew`,
/// `virDomainEventDeviceRemovedNew`, `virDomainEventMetadataChangeNew`.
public final class DomainEventDispatcher: Sendable {
    /// What happened: the kinds of event this driver emits.
    public enum Kind: Sendable, Equatable {
        case lifecycle(LifecycleEvent)
        /// QEMU's `MIGRATION_PASS`: the iteration over guest memory that began.
        case migrationIteration(Int32)
        /// The statistics of a job that completed (`virDomainGetJobStats`'s).
        case jobCompleted([TypedParameter])
        /// A device plugged in, by alias.
        case deviceAdded(String)
        /// A device QEMU unplugged, by alias.
        case deviceRemoved(String)
        /// The description, title (or an element, by namespace) changed
        /// (`virDomainMetadataType`).
        case metadataChange(type: Int32, nsuri: String?)

        /// The event id a callback registers for.
        public var id: DomainEventID {
            switch self {
            case .lifecycle: return .lifecycle
            case .migrationIteration: return .migrationIteration
            case .jobCompleted: return .jobCompleted
            case .deviceAdded: return .deviceAdded
            case .deviceRemoved: return .deviceRemoved
            case .metadataChange: return .metadataChange
            }
        }
    }

    /// The event ids this driver emits.
    public static let emitted: Set<DomainEventID> = [.lifecycle, .migrationIteration, .jobCompleted, .deviceAdded, .deviceRemoved, .metadataChange]

    /// One event of one domain.
    public struct Event: Sendable, Equatable {
        public let name: String
        public let uuid: DomainUUID
        /// The instance's id, if it runs.
        public let id: Int?
        public let kind: Kind

        public init(name: String, uuid: DomainUUID, id: Int?, kind: Kind) {
            self.name = name
            self.uuid = uuid
            self.id = id
            self.kind = kind
        }

        public init(name: String, uuid: DomainUUID, id: Int?, event: LifecycleEvent) {
            self.init(name: name, uuid: uuid, id: id, kind: .lifecycle(event))
        }

        /// The lifecycle event, if this is one.
        public var lifecycle: LifecycleEvent? {
            if case .lifecycle(let e) = kind { return e }
            return nil
        }
    }

    private struct Callback {
        let eventID: DomainEventID
        let deliver: @Sendable (Event) -> Void
    }

    private struct State {
        var next = 1
        var callbacks: [Int: Callback] = [:]
    }
    private let state = Mutex(State())
    private let queue = DispatchQueue(label: "domain-events")

    public init() {}

    /// Registers a callback for one kind of event. Returns its id.
    ///
    /// libvirt: `virConnectDomainEventRegisterAny`.
    @discardableResult
    public func register(_ eventID: DomainEventID = .lifecycle, _ callback: @escaping @Sendable (Event) -> Void) -> Int {
        state.withLock { s in
            let id = s.next
            s.next += 1
            s.callbacks[id] = Callback(eventID: eventID, deliver: callback)
            return id
        }
    }

    /// libvirt: `virConnectDomainEventDeregisterAny`. Returns whether the id was known.
    @discardableResult
    public func deregister(_ id: Int) -> Bool {
        state.withLock { $0.callbacks.removeValue(forKey: id) != nil }
    }

    /// Queues an event for every callback of its kind.
    public func emit(_ event: Event) {
        let eventID = event.kind.id
        let callbacks = state.withLock { s in
            s.callbacks.sorted { $0.key < $1.key }.filter { $0.value.eventID == eventID }.map(\.value.deliver)
        }
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
