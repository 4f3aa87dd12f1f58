import virutil
import Foundation
import Glibc
import Logging
import Synchronization
import domain_conf
import libvirt_abi
import qemu_capabilities
import qemu_process
import virclosecallbacks
import virdomainobjlist

/// The state of one QEMU driver: its directories, its domains, its id
/// counter and its event queue. One per driver root; in the embedded mode
/// one process at a time holds a root (an exclusive lock on
/// `run/qemu/driver.lock`).
///
/// libvirt: `virQEMUDriver` (src/qemu/qemu_conf.h).
public final class QemuDriverState: Sendable {
    public let config: QemuDriverConfig
    public let domains: DomainObjList
    public let ids: QemuDomainIDAllocator
    public let events = DomainEventDispatcher()
    /// Close callbacks of client connections, per instance (patch 4).
    public let closeCallbacks = CloseCallbacks()
    /// The host's UUID, as the migration cookie carries it.
    public let hostUUID: DomainUUID
    public let hostname: String
    /// What each emulator offers, by binary identity.
    public let caps: QemuCapsCache
    /// The driver's log (libvirt's outputs: `LIBVIRT_LOG_OUTPUTS`), used by
    /// qemu_domain, qemu_migration and qemu_driver for what they cannot
    /// report to a caller: a clean-up or rollback step that failed.
    public let log = DriverLog.logger("qemu_driver")
    private let lockFD: Mutex<Int32>
    private let phaseTimeout = Mutex<Duration>(.seconds(120))
    private let reconnects = Atomic<Int>(0)
    /// Whether the root may hold a status index this driver has not yet
    /// removed (`QemuStatusIndex`): true until the first status write.
    private let statusIndexPresent = Atomic<Bool>(true)
    /// Why an incoming migration's QEMU died, by domain name, until the
    /// Finish phase reports it (libvirt: `driver->migrationErrors`).
    private let migrationErrors = Mutex<[String: VirError]>([:])

    /// How long a migration waits for its next phase (a client that began a
    /// migration and went quiet) before the driver rolls it back or
    /// completes it by itself.
    public var migrationPhaseTimeout: Duration {
        get { phaseTimeout.withLock { $0 } }
        set { phaseTimeout.withLock { $0 = newValue } }
    }

    /// Keeps the error an incoming migration's QEMU died with.
    ///
    /// libvirt: `qemuMigrationDstErrorSave`.
    public func saveMigrationError(_ name: String, _ error: VirError?) {
        migrationErrors.withLock { $0[name] = error }
    }

    /// The saved error of domain `name`'s incoming migration, taken.
    ///
    /// libvirt: `qemuMigrationDstErrorReport`.
    public func takeMigrationError(_ name: String) -> VirError? {
        migrationErrors.withLock { $0.removeValue(forKey: name) }
    }

    /// Opens a driver root: takes its lock (waiting up to `lockTimeout` for
    /// another process to let go of it), creates its directories.
    public init(config: QemuDriverConfig, hostUUID: DomainUUID, lockTimeout: Duration = .seconds(30)) throws(VirError) {
        self.config = config
        self.hostUUID = hostUUID
        self.hostname = Self.localHostname()
        self.caps = QemuCapsCache(directory: config.cacheDir, probeIdentity: config.qemuIdentity)
        try config.createDirectories()
        lockFD = Mutex(try Self.lockRoot(config: config, timeout: lockTimeout))
        domains = DomainObjList(makePrivateData: { _ in QemuDomainPrivate() })
        ids = QemuDomainIDAllocator(stateDir: config.stateDir)
    }

    deinit {
        close()
    }

    /// Releases the root's lock; the driver no longer acts on its domains'
    /// processes (their exits are for the next driver to notice).
    public func close() {
        lockFD.withLock { fd in
            if fd >= 0 { Glibc.close(fd) }
            fd = -1
        }
    }

    /// Whether `close()` was called.
    public var isClosed: Bool { lockFD.withLock { $0 < 0 } }

    /// How many monitors of instances found again (not started by this
    /// driver) it has connected: with on-demand reconnect, one per instance
    /// a command needed the monitor of.
    public var monitorReconnects: Int { reconnects.load(ordering: .relaxed) }

    /// Counts (and logs, at debug level) a monitor connected to an instance
    /// found again.
    public func noteMonitorReconnect(_ obj: DomainObj) {
        reconnects.add(1, ordering: .relaxed)
        log.debug("reconnected to the monitor", metadata: ["domain": "\(obj.name)", "step": "reconnect"])
    }

    /// Notes that the status index was just written (`QemuStatusIndex`):
    /// the next status write removes it again.
    func noteStatusIndexWritten() {
        statusIndexPresent.store(true, ordering: .sequentiallyConsistent)
    }

    /// `gethostname`: no resolver lookup on every driver open.
    ///
    /// libvirt: `virGetHostname` (which qualifies it through the resolver;
    /// the embedded driver opens with every command, so it keeps it short).
    static func localHostname() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, buf.count) == 0 else { return "localhost" }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// libvirt takes a pid file lock on an embedded root (`virPidFileAcquire`).
    private static func lockRoot(config: QemuDriverConfig, timeout: Duration) throws(VirError) -> Int32 {
        let path = config.stateDir + "/driver.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw VirError.system(errno, "Failed to open pid file '\(path)'")
        }
        let deadline = ContinuousClock.now + timeout
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, ContinuousClock.now < deadline else {
                var buf = [UInt8](repeating: 0, count: 32)
                let n = pread(fd, &buf, buf.count, 0)
                let holder = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
                Glibc.close(fd)
                throw VirError(.operationTimeout, "driver root \(config.root ?? config.stateDir) is in use by process \(holder)")
            }
            usleep(20_000)
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, text, text.count, 0)
        return fd
    }

    // MARK: shut-off reasons

    /// Where the reason a domain last stopped is kept: a long-running
    /// libvirtd remembers it in memory, the embedded driver lives only as
    /// long as one command, so the next one reads it here.
    func shutoffReasonFile(_ uuid: DomainUUID) -> String { "\(config.stateDir)/shutoff/\(uuid)" }

    /// Remembers why a domain stopped (`nil`: forget it, it runs again or is gone).
    public func rememberShutoffReason(_ uuid: DomainUUID, _ reason: ShutoffReason?) {
        let file = shutoffReasonFile(uuid)
        guard let reason else {
            unlink(file)
            return
        }
        mkdir(config.stateDir + "/shutoff", 0o700)
        log.bestEffort("remember shut-off reason", domain: uuid.description) {
            try AtomicFile.write("\(reason.rawValue)\n", to: file, mode: 0o600, durable: false)
        }
    }

    /// The reason a domain last stopped, as remembered.
    public func shutoffReason(_ uuid: DomainUUID) -> ShutoffReason {
        // No file: the domain never stopped while this root kept a record.
        guard let text = try? String(contentsOfFile: shutoffReasonFile(uuid), encoding: .utf8),
              let n = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), let r = ShutoffReason(rawValue: n) else {
            return .unknown
        }
        return r
    }

    /// Emits a lifecycle event for an object.
    public func emit(_ obj: DomainObj, _ event: LifecycleEvent) {
        emit(obj, kind: .lifecycle(event))
    }

    /// Emits an event for an object.
    public func emit(_ obj: DomainObj, kind: DomainEventDispatcher.Kind) {
        let (name, id) = obj.withLock { ($0.name, $0.id) }
        events.emit(.init(name: name, uuid: obj.uuid, id: id, kind: kind))
    }

    /// Marks a running instance tainted, once: the first time, a warning
    /// goes to the driver's log and a line to the domain's log, and the
    /// status file keeps the mark.
    ///
    /// libvirt: `qemuDomainObjTaint` → `qemuDomainObjTaintMsg`.
    public func taint(_ obj: DomainObj, _ t: DomainTaint) {
        guard obj.qemu.setTaint(t) else { return }
        let (name, id) = obj.withLock { ($0.name, $0.id) }
        let idText = id.map(String.init) ?? "-1"
        log.warning("Domain id=\(idText) name='\(name)' uuid=\(obj.uuid) is tainted: \(t.name)")
        QemuLogFile(path: config.logFile(name: name)).appendLine("Domain id=\(idText) is tainted: \(t.name)")
        saveStatus(obj)
    }

    /// Writes an instance's status file, as the only writer of the
    /// instance's files (a teardown in progress waits for it, and a write
    /// after the teardown writes nothing).
    ///
    /// libvirt: `qemuDomainSaveStatus`.
    public func saveStatus(_ obj: DomainObj) {
        obj.qemu.withFilesLock { writeStatusLogged(obj) }
    }

    /// `writeStatus`, a failure logged (the caller holds the files lock).
    func writeStatusLogged(_ obj: DomainObj) {
        do { try writeStatus(obj) } catch {
            log.warning("save status failed: \(error)", metadata: ["domain": "\(obj.name)", "step": "save status"])
        }
    }

    /// Saves the status and fails when it cannot be written: for the
    /// writes a step depends on (a migration phase saved before the action
    /// it announces), which must not silently go stale on a full disk.
    public func saveStatusChecked(_ obj: DomainObj) throws(VirError) {
        try obj.qemu.withFilesLock { () throws(VirError) in try writeStatus(obj) }
    }

    /// The write itself; the caller holds the object's files lock (an
    /// event handler that changes the state and saves it in one section).
    func writeStatus(_ obj: DomainObj) throws(VirError) {
        guard let instance = obj.qemu.instance else { return }
        let (def, state, persistent) = obj.withLock { f -> (DomainDef, DomainStateReason, Bool) in
            var d = f.def
            d.id = f.id
            return (d, f.state, f.persistent)
        }
        let status = QemuStatusFile(state: state, pid: instance.pid, startTime: instance.startTime, emulator: instance.emulator,
                                    binary: instance.binary, qemuVersion: instance.version, monitorPath: instance.paths.monitor, persistent: persistent, def: def,
                                    extra: obj.qemu.statusExtras.sorted { $0.key < $1.key }.map(\.value), taint: obj.qemu.taint,
                                    addressesAssigned: !QemuDomainAddress.placedByQemu(def))
        if statusIndexPresent.exchange(false, ordering: .sequentiallyConsistent) {
            log.bestEffort("remove the status index", domain: obj.name) { try QemuStatusIndex.remove(stateDir: config.stateDir) }
        }
        try status.write(to: instance.paths.statusFile)
    }
}
