import virutil
import Foundation
import Synchronization
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_process
import qemu_migration
import virclosecallbacks
import virdomainobjlist

/// The QEMU driver: one per root in a process, shared by every connection
/// that opens that root (the source and destination connections of a local
/// migration reach the same driver).
///
/// Opening a driver loads the persistent definitions and finds again every
/// QEMU instance its status files describe, so that VMs outlive the process
/// that started them (the embedded driver lives inside each client command).
/// By default it connects no monitor to do so (`ReconnectMode.onDemand`):
/// liveness comes from /proc, state from the status files, and a command
/// connects the monitors of the instances it needs, so that a command costs
/// the same with one running guest or hundreds. Instances of an interrupted
/// migration are connected at once and the migration recovered; a QEMU
/// found dead is cleaned up then.
///
/// libvirt: `qemuStateInitialize` (src/qemu/qemu_driver.c).
public final class QemuDriver: Sendable {
    public let state: QemuDriverState
    public var config: QemuDriverConfig { state.config }

    private static let registry = Mutex<[String: QemuDriver]>([:])

    private init(state: QemuDriverState) {
        self.state = state
    }

    /// The driver for `uri`, opened on first use in this process.
    ///
    /// - Parameter reconnect: how the first open of the root in this process
    ///   gets back to its running QEMUs: a short-lived client leaves
    ///   monitors to the commands that need them; a daemon may connect
    ///   every one at once (`.eager`), so that QEMU's events reach it from
    ///   the start.
    ///
    /// libvirt: `virConnectOpen` → `qemuConnectOpen` (with `qemuStateInitialize`
    /// for an embedded root).
    public static func open(uri: String, reconnect: QemuDomainProcess.ReconnectMode = .onDemand) async throws(VirError) -> QemuDriver {
        let config: QemuDriverConfig = try QemuDriverConfig(uri: uri)
        if let d = registry.withLock({ $0[config.uri] }) { return d }
        let driver = try await start(config: config, reconnect: reconnect)
        return registry.withLock { r in
            if let existing = r[config.uri] { return existing }
            r[config.uri] = driver
            return driver
        }
    }

    private static func start(config: QemuDriverConfig, reconnect: QemuDomainProcess.ReconnectMode) async throws(VirError) -> QemuDriver {
        var config = config
        try config.load(QemuConf.read(config.confFile))
        try config.createDirectories()
        let host = try HostUUID.read(configFile: config.confFile, stateFile: config.libDir + "/host-uuid")
        let state = try QemuDriverState(config: config, hostUUID: host)
        let driver = QemuDriver(state: state)
        let (_, failures) = state.domains.loadAllConfigs(configDir: config.configDir, autostartDir: config.autostartDir)
        for f in failures {
            FileHandle.standardError.write(Data("warning: cannot load domain config \(f.file): \(f.error)\n".utf8))
        }
        for obj in state.domains.list() where !obj.isActive {
            obj.setState(.shutoff(state.shutoffReason(obj.uuid)))
        }
        let (_, migrating) = await QemuDomainProcess.reconnectAll(state, mode: reconnect) { status in
            status.extra.contains { $0.name == QemuStatusExtra.migration.rawValue }
        }
        _ = await QemuMigration.recoverAfterRestart(state, migrating)
        // A save its driver died in: undone, the guest running again.
        for obj in state.domains.list() where obj.qemu.statusExtra(.saveJob) != nil && obj.isActive {
            await QemuSaveRecovery.recover(state, obj)
        }
        // Their connection is gone: autodestroy domains go too.
        for obj in state.domains.list() where obj.qemu.statusExtra(.autodestroy) != nil && obj.isActive {
            await QemuDomainProcess.stop(state, obj, reason: .destroyed, event: .destroyed)
        }
        await autostartOncePerBoot(driver)
        return driver
    }

    /// Lets go of the root: closes the monitors, stops watching the
    /// processes, releases the lock. The VMs keep running; the next driver
    /// to open the root finds them again. Used by tests to play a process
    /// that ends, and by the daemon on exit.
    public func close() {
        Self.registry.withLock { r in
            if r[config.uri] === self { r[config.uri] = nil }
        }
        for obj in state.domains.list() + state.domains.listRemote() {
            obj.qemu.instance?.detach()
        }
        state.close()
    }

    /// Runs the close callbacks a connection registered.
    ///
    /// libvirt: `virCloseCallbacksRun`.
    func runCloseCallbacks(for conn: QemuConnection) async {
        await state.closeCallbacks.run(connection: conn.id, domains: state.domains)
    }

    /// Destroys `obj` when `conn` closes (`VIR_DOMAIN_START_AUTODESTROY`),
    /// and says so in its status file, so that a driver that finds it after
    /// its connection is gone destroys it too.
    ///
    /// libvirt: `qemuProcessAutoDestroyAdd`.
    func setAutodestroy(_ obj: DomainObj, connection conn: QemuConnection) {
        guard let id = obj.id else { return }
        let state = self.state
        state.log.bestEffort("register the autodestroy callback", domain: obj.name) {
            try state.closeCallbacks.set(CloseCallbackInstance(uuid: obj.uuid, id: id), connection: conn.id, kind: .autodestroy,
                                         name: obj.name) { obj, _ in
                // libvirt's qemuProcessAutoDestroy: no job, no destroy.
                do { try await obj.qemu.jobs.begin(.destroy, api: "qemuProcessAutoDestroy", domainName: obj.name) } catch {
                    state.log.warning("cannot autodestroy: \(error)", metadata: ["domain": "\(obj.name)", "step": "autodestroy"])
                    return
                }
                if obj.isActive { await QemuDomainProcess.stop(state, obj, reason: .destroyed, event: .destroyed) }
                obj.qemu.jobs.end()
            }
        }
        obj.qemu.setStatusExtra(.autodestroy, XMLElement(QemuStatusExtra.autodestroy.rawValue))
        state.saveStatus(obj)
    }

    /// Finishes or rolls back `obj`'s migration when `conn` closes.
    ///
    /// libvirt: `qemuMigrationSrcCleanup` registered with `virCloseCallbacksSet`.
    func watchMigration(_ obj: DomainObj, connection conn: QemuConnection) {
        guard let id = obj.id else { return }
        let state = self.state
        state.log.bestEffort("register the migration's close callback", domain: obj.name) {
            try state.closeCallbacks.set(CloseCallbackInstance(uuid: obj.uuid, id: id), connection: conn.id, kind: .migration,
                                         name: obj.name) { obj, _ in
                await QemuMigration.recover(state, uuid: obj.uuid, reason: "the client connection closed", waitForPhase: true)
            }
        }
    }

    /// Stops watching an instance's migration for a connection.
    func unwatchMigration(_ obj: DomainObj) {
        guard let id = obj.id else { return }
        // The migration's end may already have forgotten the instance's
        // callbacks (a stopped source, a rolled-back one): only what is
        // still registered is unset, as libvirt unsets only what it set.
        guard state.closeCallbacks.get(CloseCallbackInstance(uuid: obj.uuid, id: id)) == .migration else { return }
        state.log.bestEffort("unregister the migration's close callback", domain: obj.name) {
            try state.closeCallbacks.unset(CloseCallbackInstance(uuid: obj.uuid, id: id), kind: .migration, name: obj.name)
        }
    }

    /// The version of the default emulator now on disk (probed again when
    /// the binary was replaced), as libvirt encodes versions
    /// (major * 1,000,000 + minor * 1,000 + micro); 0 when it cannot be
    /// probed (virsh then reports an unknown version).
    ///
    /// libvirt: `qemuConnectGetVersion`.
    var hypervisorVersion: UInt64 {
        do {
            return try state.caps.lookup(QemuCommandLine.defaultEmulator).versionNumber
        } catch {
            state.log.warning("cannot probe \(QemuCommandLine.defaultEmulator): \(error)")
            return 0
        }
    }

    /// A new connection to this driver.
    public func connect() -> QemuConnection {
        QemuConnection(driver: self)
    }

    /// Opens `uri` and returns a new connection to its driver.
    public static func connect(uri: String) async throws(VirError) -> QemuConnection {
        try await open(uri: uri).connect()
    }
}
