/// The state of a domain (`virDomainState`); the numbers are libvirt's.
///
/// libvirt: `virDomainState` (include/libvirt/libvirt-domain.h).
public enum DomainState: Int32, Sendable, CaseIterable {
    case noState = 0
    case running = 1
    case blocked = 2
    case paused = 3
    case shutdown = 4
    case shutoff = 5
    case crashed = 6
    case pmSuspended = 7

    /// The words virsh prints for a state (`virshDomainStateToString`).
    public var virshName: String {
        switch self {
        case .noState: return "no state"
        case .running: return "running"
        case .blocked: return "idle"
        case .paused: return "paused"
        case .shutdown: return "in shutdown"
        case .shutoff: return "shut off"
        case .crashed: return "crashed"
        case .pmSuspended: return "pmsuspended"
        }
    }

    /// Whether a QEMU process exists for a domain in this state
    /// (libvirt: `virDomainObjIsActive`, which tests `def->id != -1`).
    public var isActive: Bool { self != .shutoff }
}

/// Why a domain is in its state: one reason enum per state, the numbers are
/// libvirt's (`virDomainRunningReason`, `virDomainPausedReason`, ...).
public enum DomainStateReason: Hashable, Sendable {
    case noState(Int32)
    case running(RunningReason)
    case blocked(Int32)
    case paused(PausedReason)
    case shutdown(ShutdownReason)
    case shutoff(ShutoffReason)
    case crashed(CrashedReason)
    case pmSuspended(Int32)

    /// The state this reason belongs to.
    public var state: DomainState {
        switch self {
        case .noState: return .noState
        case .running: return .running
        case .blocked: return .blocked
        case .paused: return .paused
        case .shutdown: return .shutdown
        case .shutoff: return .shutoff
        case .crashed: return .crashed
        case .pmSuspended: return .pmSuspended
        }
    }

    /// The reason's number within its state.
    public var rawReason: Int32 {
        switch self {
        case .noState(let r), .blocked(let r), .pmSuspended(let r): return r
        case .running(let r): return r.rawValue
        case .paused(let r): return r.rawValue
        case .shutdown(let r): return r.rawValue
        case .shutoff(let r): return r.rawValue
        case .crashed(let r): return r.rawValue
        }
    }

    /// Rebuilds a reason from libvirt's pair of numbers; unknown numbers
    /// give `nil`.
    public init?(state: Int32, reason: Int32) {
        guard let s = DomainState(rawValue: state) else { return nil }
        switch s {
        case .noState: self = .noState(reason)
        case .blocked: self = .blocked(reason)
        case .pmSuspended: self = .pmSuspended(reason)
        case .running:
            guard let r = RunningReason(rawValue: reason) else { return nil }
            self = .running(r)
        case .paused:
            guard let r = PausedReason(rawValue: reason) else { return nil }
            self = .paused(r)
        case .shutdown:
            guard let r = ShutdownReason(rawValue: reason) else { return nil }
            self = .shutdown(r)
        case .shutoff:
            guard let r = ShutoffReason(rawValue: reason) else { return nil }
            self = .shutoff(r)
        case .crashed:
            guard let r = CrashedReason(rawValue: reason) else { return nil }
            self = .crashed(r)
        }
    }

    /// The word virsh prints for the reason (`virshDomainStateReasonToString`).
    public var virshName: String {
        switch self {
        case .noState, .blocked, .pmSuspended: return "unknown"
        case .running(let r): return r.virshName
        case .paused(let r): return r.virshName
        case .shutdown(let r): return r == .user ? "user" : "unknown"
        case .shutoff(let r): return r.virshName
        case .crashed(let r): return r == .panicked ? "panicked" : "unknown"
        }
    }
}

/// libvirt: `virDomainRunningReason`.
public enum RunningReason: Int32, Sendable, CaseIterable {
    case unknown = 0, booted, migrated, restored, fromSnapshot, unpaused, migrationCanceled,
         saveCanceled, wakeup, crashed, postcopy, postcopyFailed

    var virshName: String {
        switch self {
        case .unknown: return "unknown"
        case .booted: return "booted"
        case .migrated: return "migrated"
        case .restored: return "restored"
        case .fromSnapshot: return "from snapshot"
        case .unpaused: return "unpaused"
        case .migrationCanceled: return "migration canceled"
        case .saveCanceled: return "save canceled"
        case .wakeup: return "event wakeup"
        case .crashed: return "crashed"
        case .postcopy: return "post-copy"
        case .postcopyFailed: return "post-copy failed"
        }
    }
}

/// libvirt: `virDomainPausedReason`.
public enum PausedReason: Int32, Sendable, CaseIterable {
    case unknown = 0, user, migration, save, dump, ioError, watchdog, fromSnapshot, shuttingDown,
         snapshot, crashed, startingUp, postcopy, postcopyFailed

    var virshName: String {
        switch self {
        case .unknown: return "unknown"
        case .user: return "user"
        case .migration: return "migrating"
        case .save: return "saving"
        case .dump: return "dumping"
        case .ioError: return "I/O error"
        case .watchdog: return "watchdog"
        case .fromSnapshot: return "from snapshot"
        case .shuttingDown: return "shutting down"
        case .snapshot: return "creating snapshot"
        case .crashed: return "crashed"
        case .startingUp: return "starting up"
        case .postcopy: return "post-copy"
        case .postcopyFailed: return "post-copy failed"
        }
    }
}

/// libvirt: `virDomainShutdownReason`.
public enum ShutdownReason: Int32, Sendable, CaseIterable {
    case unknown = 0, user
}

/// libvirt: `virDomainShutoffReason`.
public enum ShutoffReason: Int32, Sendable, CaseIterable {
    case unknown = 0, shutdown, destroyed, crashed, migrated, saved, failed, fromSnapshot, daemon

    var virshName: String {
        switch self {
        case .unknown: return "unknown"
        case .shutdown: return "shutdown"
        case .destroyed: return "destroyed"
        case .crashed: return "crashed"
        case .migrated: return "migrated"
        case .saved: return "saved"
        case .failed: return "failed"
        case .fromSnapshot: return "from snapshot"
        case .daemon: return "daemon"
        }
    }
}

/// libvirt: `virDomainCrashedReason`.
public enum CrashedReason: Int32, Sendable, CaseIterable {
    case unknown = 0, panicked
}
