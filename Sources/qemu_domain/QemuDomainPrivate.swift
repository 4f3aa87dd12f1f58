import Synchronization
import domain_conf
import libvirt_abi
import qemu_process
import virdomainobjlist

/// The driver's data for one domain instance (a `DomainObj`): its QEMU
/// process, its jobs, and what a migration keeps on it.
///
/// libvirt: `qemuDomainObjPrivate` (src/qemu/qemu_domain.h).
public final class QemuDomainPrivate: Sendable {
    public let jobs = QemuDomainJobs()

    struct State {
        var instance: QemuInstance?
        /// The driver is stopping the process: its exit is expected.
        var stopping = false
        /// The guest asked to power off (QMP `SHUTDOWN`).
        var guestShutdown = false
        /// QEMU paused on the guest's power-off for a fake reboot: its
        /// `STOP` is not a pause of the domain (libvirt: `pausedShutdown`).
        var pausedShutdown = false
        /// Why the next `RESUME` happens (libvirt: `priv->runningReason`).
        var pendingRunningReason: RunningReason?
        /// Why the next `STOP` happens (libvirt: `priv->pausedReason`).
        var pendingPausedReason: PausedReason?
        var migration: QemuMigrationState?
        var completedJob: QemuCompletedJob?
        var statusExtras: [String: XMLElement] = [:]
        /// libvirt: `vm->taint` (cleared when the instance stops).
        var taint: Set<DomainTaint> = []
        /// How many `RESET` and `SHUTDOWN` events QEMU sent, for a guest
        /// agent command that waits for one (libvirt: `await_event`).
        var resets = 0
        var shutdowns = 0
    }
    let state = Mutex(State())
    /// Serializes what touches the instance's files: status writes, and the
    /// teardown that removes the instance directory. A write that starts
    /// after the teardown finds no instance and writes nothing, so a removed
    /// directory is never brought back by a late writer.
    private let files = Mutex(())

    public init() {}

    /// Runs `body` as the only writer of the instance's files.
    public func withFilesLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        try files.withLock { _ throws(E) -> T in try body() }
    }

    /// The running QEMU instance, if any.
    public var instance: QemuInstance? { state.withLock { $0.instance } }

    /// What a migration keeps on the instance (driven by qemu_migration).
    public var migration: QemuMigrationState? {
        get { state.withLock { $0.migration } }
        set { state.withLock { $0.migration = newValue } }
    }

    /// Statistics of the last completed job (what `domjobinfo --completed`
    /// shows), owned by the layer that ran the job.
    public var completedJob: QemuCompletedJob? {
        get { state.withLock { $0.completedJob } }
        set { state.withLock { $0.completedJob = newValue } }
    }

    /// The counts of QEMU's `RESET` and `SHUTDOWN` events so far.
    public var guestEvents: (resets: Int, shutdowns: Int) { state.withLock { ($0.resets, $0.shutdowns) } }

    /// How the instance is tainted.
    public var taint: Set<DomainTaint> { state.withLock { $0.taint } }

    /// Marks the instance; whether the mark is new.
    ///
    /// libvirt: `virDomainObjTaint`.
    func setTaint(_ t: DomainTaint) -> Bool {
        state.withLock { $0.taint.insert(t).inserted }
    }

    /// Elements added to the status file, by name. Elements a later
    /// version of the driver wrote are kept as they are.
    var statusExtras: [String: XMLElement] {
        get { state.withLock { $0.statusExtras } }
        set { state.withLock { $0.statusExtras = newValue } }
    }

    /// One element of the status file, if the instance has it.
    public func statusExtra(_ key: QemuStatusExtra) -> XMLElement? {
        state.withLock { $0.statusExtras[key.rawValue] }
    }

    /// Sets (or with `nil` removes) one status element.
    public func setStatusExtra(_ key: QemuStatusExtra, _ element: XMLElement?) {
        state.withLock { $0.statusExtras[key.rawValue] = element }
    }
}

extension DomainObj {
    /// The QEMU driver's data of this object.
    public var qemu: QemuDomainPrivate {
        guard let p = privateData as? QemuDomainPrivate else {
            preconditionFailure("domain object \(uuid) was created without QEMU private data")
        }
        return p
    }
}

extension VirError {
    /// libvirt: `virDomainObjCheckActive`.
    public static let notRunning = VirError(.operationInvalid, "domain is not running")
}
