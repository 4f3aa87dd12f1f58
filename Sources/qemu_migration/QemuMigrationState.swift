import Foundation
import Synchronization
import domain_conf
import libvirt_abi
import qemu_domain
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

    struct Mutable {
        var phase: Phase
        var stats = QemuMigrationStatistics()
        /// The source guest ran when the migration started (roll back to running).
        var sourceWasRunning = true
        /// A phase is executing: the watchdog must not step in.
        var busy = false
        /// The driver rolled the migration back or completed it by itself.
        var endedByDriver: String?
        var watchdog: Task<Void, Never>?
        /// The definition to make persistent on promotion (incoming side).
        var persistentDef: DomainDef?
        /// Perform failed: Confirm can only roll back.
        var performFailed = false
        /// Where the incoming QEMU listens (Prepare's answer); Perform must
        /// send there and nowhere else.
        var listenURI: String?
    }
    let state: Mutex<Mutable>

    init(role: Role, flags: MigrateFlags, params: QemuMigrationParams, phase: Phase,
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

    /// Starts a phase: no watchdog meanwhile, and refused when the driver
    /// already ended the migration on its own.
    func enter(_ phase: Phase, domain: String) throws(VirError) {
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
    func claim(reason: String) -> Bool {
        state.withLock { m in
            if m.busy { return false }
            if m.endedByDriver == nil { m.endedByDriver = reason }
            return true
        }
    }

    /// Stops the watchdog between phases, if one is armed.
    func cancelWatchdog() {
        state.withLock { s in
            s.watchdog?.cancel()
            s.watchdog = nil
        }
    }

    /// Ends a phase.
    func leave() {
        state.withLock { $0.busy = false }
    }

    var isBusy: Bool { state.withLock { $0.busy } }
    public var stats: QemuMigrationStatistics { state.withLock { $0.stats } }

    /// The status file's `<migration>` element.
    var element: XMLElement {
        let (phase, wasRunning) = state.withLock { ($0.phase, $0.sourceWasRunning) }
        return XMLElement(QemuStatusExtra.migration.rawValue, attributes: [
            XMLAttribute("role", role.rawValue), XMLAttribute("phase", phase.rawValue),
            XMLAttribute("flags", String(flags.rawValue)), XMLAttribute("started", String(started)),
            XMLAttribute("sourceWasRunning", wasRunning ? "yes" : "no"),
        ])
    }

    /// Rebuilds the state from a status file's `<migration>` element.
    static func from(_ e: XMLElement) -> QemuMigrationState? {
        guard e.name == QemuStatusExtra.migration.rawValue, let role = e.attribute("role").flatMap(Role.init(rawValue:)),
              let phase = e.attribute("phase").flatMap(Phase.init(rawValue:)) else { return nil }
        let flags = MigrateFlags(rawValue: e.attribute("flags").flatMap(UInt32.init) ?? 0)
        let started = e.attribute("started").flatMap(UInt64.init) ?? 0
        let s = QemuMigrationState(role: role, flags: flags, params: QemuMigrationParams(), phase: phase, started: started)
        s.state.withLock { $0.sourceWasRunning = e.attribute("sourceWasRunning") != "no" }
        return s
    }
}

/// The statistics of the last completed migration, kept on the domain for
/// `domjobinfo --completed`.
///
/// libvirt: `vm->job->completed`.
public struct QemuCompletedJob: Sendable, Equatable {
    public var operation: DomainJobOperation
    public var stats: QemuMigrationStatistics

    public init(operation: DomainJobOperation, stats: QemuMigrationStatistics) {
        self.operation = operation
        self.stats = stats
    }

    /// The status file's `<completedJob>`: the next driver process (the
    /// next virsh command) shows it too.
    var element: XMLElement {
        var stats = self.stats.element
        if let t = self.stats.qemuTotalTime { stats.children.append(.element(XMLElement("qemu_total_time", text: String(t)))) }
        return XMLElement(QemuStatusExtra.completedJob.rawValue, attributes: [XMLAttribute("operation", String(operation.rawValue))],
                          children: [.element(stats)])
    }

    init?(element e: XMLElement) {
        guard e.name == QemuStatusExtra.completedJob.rawValue, let op = e.attribute("operation").flatMap(Int32.init).flatMap(DomainJobOperation.init(rawValue:)),
              let s = e.child("statistics") else { return nil }
        operation = op
        stats = QemuMigrationStatistics(element: s)
        stats.qemuTotalTime = s.childText("qemu_total_time").flatMap { UInt64($0) }
    }

    /// The completed job of a domain: kept in memory, or found in its
    /// status file by a driver that started since.
    static func of(_ obj: DomainObj) -> QemuCompletedJob? {
        if let job = obj.qemu.completedJob as? QemuCompletedJob { return job }
        return obj.qemu.statusExtra(.completedJob).flatMap(QemuCompletedJob.init(element:))
    }
}
