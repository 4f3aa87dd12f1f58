import Foundation
import Synchronization
import domain_conf
import libvirt_abi
import qemu_monitor
import virdomainobjlist
import virutil

/// What a migration keeps on each of its two instances between phases
/// (stored in `QemuDomainPrivate.migration`), and writes to the instance's
/// status file so that a restarted driver can finish or undo it.
///
/// libvirt: the migration half of `qemuDomainJobPrivate` and the
/// `<job>` element of the status XML (`qemuDomainObjPrivateXMLFormatJob`).
public final class QemuMigrationState: Sendable {
    public enum Role: String, Sendable { case outgoing, incoming }

    /// libvirt: `qemuMigrationJobPhase`.
    public enum Phase: String, Sendable {
        case begin3, perform3, perform3Done = "perform3_done", confirm3
        case prepare, finish3, finished
    }

    public let role: Role
    public let flags: MigrateFlags
    public let params: QemuMigrationParams
    /// ms since the epoch.
    public let started: UInt64

    package struct Mutable {
        package var phase: Phase
        package var stats = QemuMigrationStatistics()
        /// The source guest ran when the migration started (roll back to running).
        package var sourceWasRunning = true
        /// A phase is executing: the watchdog must not step in.
        package var busy = false
        /// The driver rolled the migration back or completed it by itself.
        package var endedByDriver: String?
        package var watchdog: Task<Void, Never>?
        /// The definition to make persistent on promotion (incoming side).
        package var persistentDef: DomainDef?
        /// Perform failed: Confirm can only roll back.
        package var performFailed = false
        /// Where the incoming QEMU listens (Prepare's answer); Perform must
        /// send there and nowhere else.
        package var listenURI: String?
        /// The status QEMU's last `MIGRATION` event announced.
        package var qemuStatus: MigrationStatus?
        /// `MIGRATION_PASS` events seen (QEMU's dirty-sync count).
        package var passes: UInt64 = 0
        /// ms since the epoch when the source's CPUs stopped for the
        /// switch-over (its `STOP` event's timestamp).
        package var sourceStopped: UInt64?
        /// How the guest moves, decided by Prepare (`normal` until then).
        package var mode: QemuMigrationMode = .normal
    }
    package let state: Mutex<Mutable>
    /// Broadcast on each of QEMU's migration events: Perform waits on it
    /// instead of polling `query-migrate`.
    package let events = VirCondition()

    package init(role: Role, flags: MigrateFlags, params: QemuMigrationParams, phase: Phase,
         started: UInt64 = VirTime.millisNow()) {
        self.role = role
        self.flags = flags
        self.params = params
        self.started = started
        var m = Mutable(phase: phase)
        m.stats.started = started
        state = Mutex(m)
    }

    public var phase: Phase { state.withLock { $0.phase } }

    /// QEMU's `MIGRATION` event (with the `events` migration capability on).
    ///
    /// libvirt: `qemuProcessHandleMigrationStatus`.
    package func noteQemuStatus(_ status: MigrationStatus) {
        state.withLock { $0.qemuStatus = status }
        events.broadcast()
    }

    /// QEMU's `MIGRATION_PASS` event.
    ///
    /// libvirt: `qemuProcessHandleMigrationPass`.
    package func notePass(_ pass: UInt64) {
        state.withLock { $0.passes = max($0.passes, pass) }
        events.broadcast()
    }

    /// The source's `STOP` during an outgoing migration: when the guest
    /// stopped running, the start of its downtime.
    ///
    /// libvirt: `qemuProcessHandleStop` stamping `job.current->stopped`.
    package func noteSourceStopped(at ms: UInt64) {
        state.withLock { m in if m.sourceStopped == nil { m.sourceStopped = ms } }
        events.broadcast()
    }

    /// Starts a phase: no watchdog meanwhile, and refused when the driver
    /// already ended the migration on its own.
    package func enter(_ phase: Phase, domain: String) throws(VirError) {
        try state.withLock { m throws(VirError) -> Void in
            if let reason = m.endedByDriver {
                throw VirError(.operationFailed, "migration of domain '\(domain)' is over: \(reason)")
            }
            if m.busy {
                throw VirError(.operationInvalid, "migration of domain '\(domain)' is already in phase \(m.phase.rawValue)")
            }
            m.busy = true
            m.watchdog?.cancel()  // as cancelWatchdog(), under the same lock as the phase change
            m.watchdog = nil
            m.phase = phase
        }
    }

    /// Takes the migration over for the driver in one step: refused while
    /// a phase runs (that phase ends the migration or moves it on);
    /// afterwards no phase of the client's can start.
    ///
    /// - Returns: whether the driver now owns the migration.
    package func claim(reason: String) -> Bool {
        state.withLock { m in
            if m.busy { return false }
            if m.endedByDriver == nil { m.endedByDriver = reason }
            return true
        }
    }

    /// Stops the watchdog between phases, if one is armed.
    package func cancelWatchdog() {
        state.withLock { s in
            s.watchdog?.cancel()
            s.watchdog = nil
        }
    }

    /// Ends a phase.
    package func leave() {
        state.withLock { $0.busy = false }
    }

    package var isBusy: Bool { state.withLock { $0.busy } }
    public var stats: QemuMigrationStatistics { state.withLock { $0.stats } }

    /// The status file's `<migration>` element.
    package var element: XMLElement {
        let (phase, wasRunning, mode) = state.withLock { ($0.phase, $0.sourceWasRunning, $0.mode) }
        var e = XMLElement(QemuStatusExtra.migration.rawValue, attributes: [
            XMLAttribute("role", role.rawValue), XMLAttribute("phase", phase.rawValue),
            XMLAttribute("flags", String(flags.rawValue)), XMLAttribute("started", String(started)),
            XMLAttribute("sourceWasRunning", wasRunning ? "yes" : "no"),
        ])
        if mode != .normal { e.setAttribute("mode", mode.rawValue) }
        return e
    }

    /// Rebuilds the state from a status file's `<migration>` element.
    package static func from(_ e: XMLElement) -> QemuMigrationState? {
        guard e.name == QemuStatusExtra.migration.rawValue, let role = e.attribute("role").flatMap(Role.init(rawValue:)),
              let phase = e.attribute("phase").flatMap(Phase.init(rawValue:)) else { return nil }
        let flags = MigrateFlags(rawValue: e.attribute("flags").flatMap(UInt32.init) ?? 0)
        let started = e.attribute("started").flatMap(UInt64.init) ?? 0
        let s = QemuMigrationState(role: role, flags: flags, params: QemuMigrationParams(), phase: phase, started: started)
        s.state.withLock { m in
            m.sourceWasRunning = e.attribute("sourceWasRunning") != "no"
            m.mode = e.attribute("mode").flatMap(QemuMigrationMode.init(rawValue:)) ?? .normal
        }
        return s
    }
}
