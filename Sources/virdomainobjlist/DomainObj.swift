import Synchronization
import domain_conf
import libvirt_abi

/// One domain known to the driver: its definition, its state, and while it
/// runs, its live id. Shared between threads; every field is behind the
/// object's own lock.
///
/// libvirt: `virDomainObj` (src/conf/domain_conf.h).
public final class DomainObj: Sendable {
    /// The domain's UUID: the one field that never changes.
    public let uuid: DomainUUID
    /// Driver data for this instance (libvirt: `vm->privateData`).
    public let privateData: (any Sendable)?

    /// The object's mutable fields.
    public struct Fields: Sendable {
        /// The definition in effect: the live one while the domain runs
        /// (parsed here, the first time it is read, when it was deferred).
        public var def: DomainDef {
            mutating get {
                if let d = deferred {
                    deferred = nil
                    do throws(VirError) {
                        var live = try d.parse()
                        live.id = nil
                        stored = live
                    } catch {
                        d.failed(error)
                    }
                }
                return stored
            }
            set {
                deferred = nil
                stored = newValue
            }
        }
        /// The definition's name, without parsing a deferred definition
        /// (the persistent one standing for it has the same).
        public var name: String { stored.name }
        var stored: DomainDef
        /// The live definition, not parsed yet (`DomainObjList.addDeferredLive`).
        var deferred: DeferredDomainDef?
        /// The persistent definition to apply when a running domain stops
        /// (libvirt: `vm->newDef`).
        public var newDef: DomainDef?
        /// The live id; only the list sets it, so that its id index holds.
        public internal(set) var id: Int?
        public var state: DomainStateReason
        public var persistent: Bool
        public var autostart: Bool
        /// Set once the object is being taken out of the list.
        public internal(set) var removing: Bool
    }

    private let fields: Mutex<Fields>

    init(def: DomainDef, privateData: (any Sendable)?) {
        uuid = def.uuid
        self.privateData = privateData
        var d = def
        d.id = nil
        fields = Mutex(Fields(stored: d, deferred: nil, newDef: nil, id: nil, state: .shutoff(.unknown), persistent: false,
                              autostart: false, removing: false))
    }

    /// Reads or changes the fields under the object's lock.
    public func withLock<R>(_ body: (inout Fields) throws -> R) rethrows -> R {
        try fields.withLock { try body(&$0) }
    }

    /// The definition in effect, with the live id.
    public var def: DomainDef {
        fields.withLock { f in
            var d = f.def
            d.id = f.id
            return d
        }
    }

    /// The persistent definition: `newDef` while running, else `def`
    /// (libvirt: `virDomainObjGetPersistentDef`).
    public var persistentDef: DomainDef {
        fields.withLock { f in
            var d = f.newDef ?? f.def
            d.id = nil
            return d
        }
    }

    public var name: String { fields.withLock { $0.name } }
    /// Whether the live definition is still to be parsed (`DeferredDomainDef`).
    public var isDefinitionDeferred: Bool { fields.withLock { $0.deferred != nil } }
    public var id: Int? { fields.withLock { $0.id } }
    public var state: DomainStateReason { fields.withLock { $0.state } }
    public var persistent: Bool { fields.withLock { $0.persistent } }
    public var autostart: Bool { fields.withLock { $0.autostart } }
    public var removing: Bool { fields.withLock { $0.removing } }

    /// A QEMU process exists for it (libvirt: `virDomainObjIsActive`,
    /// `def->id != -1`).
    public var isActive: Bool { fields.withLock { $0.id != nil } }

    /// libvirt: `virDomainObjSetState`.
    public func setState(_ state: DomainStateReason) {
        fields.withLock { $0.state = state }
    }

    /// Installs a new definition with libvirt's rules.
    ///
    /// - Parameter live: the definition describes a running instance.
    /// - Returns: the definition it replaced, if any.
    ///
    /// libvirt: `virDomainObjAssignDef`.
    @discardableResult
    public func assignDef(_ def: DomainDef, live: Bool) -> DomainDef? {
        fields.withLock { f in Self.assign(&f, def, live: live) }
    }

    /// A live definition parsed when first read, for a domain whose
    /// persistent definition is in effect and is not running: the
    /// persistent one becomes `newDef`, as `assignDef(_:live: true)` makes it.
    func assignDeferredLive(_ deferred: DeferredDomainDef) {
        fields.withLock { f in
            if f.newDef == nil { f.newDef = f.stored }
            f.deferred = deferred
        }
    }

    static func assign(_ f: inout Fields, _ def: DomainDef, live: Bool) -> DomainDef? {
        var def = def
        def.id = nil
        if f.id != nil {
            let old = f.newDef
            f.newDef = def
            return old
        }
        if live {
            if f.newDef == nil { f.newDef = f.def }
            f.def = def
            return nil
        }
        let old = f.def
        f.def = def
        return old
    }

    /// What the list filters see, read in one lock.
    ///
    /// libvirt: `virDomainObjMatchFilter`.
    public func matches(_ filter: ListAllDomainsFlags) -> Bool {
        fields.withLock { f in
            if f.removing { return false }
            let active = f.id != nil
            func group(_ g: ListAllDomainsFlags, _ pairs: [(ListAllDomainsFlags, Bool)]) -> Bool {
                guard !filter.isDisjoint(with: g) else { return true }
                return pairs.contains { flag, holds in filter.contains(flag) && holds }
            }
            let st = f.state.state
            return group(.filtersActive, [(.active, active), (.inactive, !active)])
                && group(.filtersPersistent, [(.persistent, f.persistent), (.transient, !f.persistent)])
                && group(.filtersState, [(.running, st == .running), (.paused, st == .paused),
                                         (.shutoff, st == .shutoff),
                                         (.other, st != .running && st != .paused && st != .shutoff)])
                && group(.filtersManagedSave, [(.managedSave, false), (.noManagedSave, true)])
                && group(.filtersAutostart, [(.autostart, f.autostart), (.noAutostart, !f.autostart)])
                && group(.filtersSnapshot, [(.hasSnapshot, false), (.noSnapshot, true)])
                && group(.filtersCheckpoint, [(.hasCheckpoint, false), (.noCheckpoint, true)])
        }
    }
}
