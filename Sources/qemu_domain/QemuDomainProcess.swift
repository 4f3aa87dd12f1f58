import virutil
import Foundation
import domain_conf
import libvirt_abi
import qemu_capabilities
import qemu_monitor
import qemu_process
import virclosecallbacks
import virdomainobjlist

/// Starting and stopping domains (objects in the driver's tables), keeping
/// their state, status file and events in step with their QEMU process.
///
/// libvirt: `qemuProcessStart`, `qemuProcessStop`, `qemuProcessStartCPUs`,
/// `qemuProcessStopCPUs`, the QMP event handlers and
/// `qemuProcessReconnectAll` (src/qemu/qemu_process.c).
public enum QemuDomainProcess {
    // MARK: start

    /// Starts a domain's QEMU and boots the guest (unless `paused`).
    /// The caller holds a job on the object.
    ///
    /// Events: started(booted), then resumed(unpaused) or suspended(paused).
    ///
    /// - Parameter resetNVRAM: a UEFI guest's variable store is copied
    ///   from its template again (`VIR_DOMAIN_START_RESET_NVRAM`).
    @discardableResult
    public static func start(_ driver: QemuDriverState, _ obj: DomainObj, paused: Bool,
                             resetNVRAM: Bool = false) async throws(VirError) -> QemuInstance {
        let instance = try await launch(driver, obj, def: obj.def, incoming: false, resetNVRAM: resetNVRAM)
        driver.emit(obj, .started(.booted))
        if paused {
            obj.setState(.paused(.user))
            driver.saveStatus(obj)
            driver.emit(obj, .suspended(.paused))
            return instance
        }
        do {
            try await startCPUs(driver, obj, reason: .booted)
        } catch {
            await stop(driver, obj, reason: .failed, event: .failed)
            throw error
        }
        return instance
    }

    /// Starts QEMU for the incoming side of a migration (`-incoming
    /// defer`) on `obj`, which the caller already put in the tables.
    ///
    /// - Parameter cpr: the migration is a `cpr-transfer`: QEMU also
    ///   waits on its `cpr` channel, and its monitor is connected only
    ///   once the source has sent its descriptors.
    public static func startIncoming(_ driver: QemuDriverState, _ obj: DomainObj, def: DomainDef,
                                     cpr: Bool = false) async throws(VirError) -> QemuInstance {
        try await launch(driver, obj, def: def, incoming: true, cpr: cpr)
    }

    /// What a definition becomes before its QEMU starts: post-parsed
    /// against the emulator that will run it, its memory default, and,
    /// for a fresh start, its firmware chosen (an incoming instance runs
    /// the one its source chose, in its live definition, and keeps the
    /// source's addresses).
    ///
    /// - Returns: what the emulator offers.
    public static func prepare(_ def: inout DomainDef, _ driver: QemuDriverState, incoming: Bool,
                               resetNVRAM: Bool = false) throws(VirError) -> QemuCaps {
        let caps = try QemuDomainDefPostParse.apply(&def, caps: driver.caps, config: driver.config, assignAddresses: !incoming)
        QemuDomainDefPostParse.applyMemoryDefault(&def, config: driver.config, caps: caps)
        if !incoming { try QemuFirmware.fill(&def, config: driver.config, resetNVRAM: resetNVRAM) }
        return caps
    }

    /// Starts QEMU paused (`-S`) with a new id, and makes it the object's
    /// instance: the id in the tables, the live definition, the handlers,
    /// the status file.
    static func launch(_ driver: QemuDriverState, _ obj: DomainObj, def: DomainDef, incoming: Bool, cpr: Bool = false,
                       resetNVRAM: Bool = false) async throws(VirError) -> QemuInstance {
        // A definition stored before machine types were pinned gets its
        // machine pinned now, against the emulator that will run it.
        // An incoming instance's definition was post-parsed by Prepare,
        // against its source: its addresses are the source's.
        var def = def
        let caps = try prepare(&def, driver, incoming: incoming, resetNVRAM: resetNVRAM)
        let id = try driver.ids.next()
        let (instance, live) = try await QemuProcess.start(def: def, id: id, config: driver.config, caps: caps,
                                                          options: .init(incoming: incoming, cpr: cpr, resetNVRAM: resetNVRAM))
        if !incoming { driver.rememberShutoffReason(obj.uuid, nil) }
        // The live definition first, while the object is still inactive:
        // it becomes `def` and the persistent one is kept as `newDef`, as
        // qemuProcessStart's virDomainObjSetDefTransient does before the id
        // is set. (Assigned after the id, it would replace the persistent
        // definition instead.)
        obj.assignDef(live, live: true)
        driver.domains.assignID(obj, id)
        obj.qemu.state.withLock { s in
            s.instance = instance
            s.stopping = false
            s.guestShutdown = false
        }
        obj.setState(incoming ? .paused(.migration) : .paused(.startingUp))
        attachHandlers(driver, obj, instance)
        driver.saveStatus(obj)
        return instance
    }

    /// Lets the guest run (`cont`). libvirt: `qemuProcessStartCPUs`.
    public static func startCPUs(_ driver: QemuDriverState, _ obj: DomainObj, reason: RunningReason) async throws(VirError) {
        guard let instance = obj.qemu.instance else { throw VirError.notRunning }
        obj.qemu.state.withLock { $0.pendingRunningReason = reason }
        do {
            try await instance.monitor().cont()
        } catch {
            obj.qemu.state.withLock { $0.pendingRunningReason = nil }
            throw VirError(error)
        }
        settle(driver, obj, isDone: obj.state.state == .running) { resumed(driver, obj) }
    }

    /// Pauses the guest (`stop`). libvirt: `qemuProcessStopCPUs`.
    public static func stopCPUs(_ driver: QemuDriverState, _ obj: DomainObj, reason: PausedReason) async throws(VirError) {
        guard let instance = obj.qemu.instance else { throw VirError.notRunning }
        obj.qemu.state.withLock { $0.pendingPausedReason = reason }
        do {
            try await instance.monitor().stop()
        } catch {
            obj.qemu.state.withLock { $0.pendingPausedReason = nil }
            throw VirError(error)
        }
        settle(driver, obj, isDone: obj.state.state == .paused) { stopped(driver, obj) }
    }

    /// After `cont` or `stop` returned: the state and its status file are
    /// what the command made them before the caller returns. QEMU's event
    /// normally got there first, and its handler changed the state and
    /// wrote the status in one files-lock section: waiting for the lock
    /// waits out that write. Otherwise the handler runs here.
    private static func settle(_ driver: QemuDriverState, _ obj: DomainObj, isDone: Bool, handler: () -> Void) {
        if isDone {
            obj.qemu.withFilesLock {}
        } else {
            handler()
        }
    }

    // MARK: stop

    /// Stops a domain's QEMU and cleans up after it: the instance directory,
    /// the id, the guest RAM file when no other instance of the domain uses
    /// it, the object itself when it is transient.
    ///
    /// - Parameter event: the stopped event to emit (`nil`: none).
    public static func stop(_ driver: QemuDriverState, _ obj: DomainObj, reason: ShutoffReason,
                            event: LifecycleEvent.StoppedDetail?, graceful: Bool = true) async {
        let instance = obj.qemu.state.withLock { s -> QemuInstance? in
            s.stopping = true
            return s.instance
        }
        if let instance {
            // The directory goes in `cleanup`, with the instance.
            await QemuProcess.stop(instance, graceful: graceful, reason: logReason(reason), removeDirectory: false)
        }
        cleanup(driver, obj, reason: reason, event: event)
    }

    /// What is left to do once the process is gone.
    static func cleanup(_ driver: QemuDriverState, _ obj: DomainObj, reason: ShutoffReason,
                        event: LifecycleEvent.StoppedDetail?) {
        // The live definition, read before its status file goes (one
        // found again is parsed from that file when first read).
        let def = obj.def
        // The directory goes with the instance, under the files lock: no
        // status write can bring it back, and no reader sees the domain shut
        // off while its directory is still there.
        let instance = obj.qemu.withFilesLock { () -> QemuInstance? in
            let instance = obj.qemu.state.withLock { s -> QemuInstance? in
                defer {
                    s.instance = nil
                    s.stopping = false
                    s.guestShutdown = false
                    s.pendingPausedReason = nil
                    s.pendingRunningReason = nil
                    s.statusExtras = [:]
                    s.taint = []
                }
                return s.instance
            }
            if let instance { QemuProcess.removeInstanceDir(instance.paths) }
            return instance
        }
        if let instance {
            driver.closeCallbacks.forget(CloseCallbackInstance(uuid: obj.uuid, id: instance.id))
        }
        if event != nil { driver.emit(obj, .stopped(event ?? .destroyed)) }
        driver.domains.clearID(obj)
        if obj.persistent && driver.domains.findByUUID(obj.uuid) === obj { driver.rememberShutoffReason(obj.uuid, reason) }
        obj.withLock { f in
            f.state = .shutoff(reason)
            if let persistent = f.newDef {
                f.def = persistent
                f.newDef = nil
            }
        }
        if def.memoryBacking?.source == .file && !otherInstanceRuns(driver, obj) {
            removeRAMFile(driver, uuid: obj.uuid)
        }
        if driver.domains.findRemote(byUUID: obj.uuid) === obj {
            driver.domains.removeRemote(obj)
        } else if !obj.persistent {
            driver.domains.remove(obj)
            // A transient domain is gone with its instance, unless it lives
            // on in another one (a local migration's).
            if !otherInstanceRuns(driver, obj) {
                driver.log.bestEffort("forget migration limits", domain: obj.name) { try driver.setMigrationLimits(obj.uuid, nil) }
            }
        }
    }

    /// Another instance of the same domain (the other end of a local
    /// migration) is alive.
    static func otherInstanceRuns(_ driver: QemuDriverState, _ obj: DomainObj) -> Bool {
        [driver.domains.findByUUID(obj.uuid), driver.domains.findRemote(byUUID: obj.uuid)].contains { other in
            guard let other, other !== obj, let i = other.qemu.instance else { return false }
            return !i.hasExited
        }
    }

    /// The guest's RAM file belongs to the domain, not to an instance: it
    /// goes when the domain stops for good.
    public static func removeRAMFile(_ driver: QemuDriverState, uuid: DomainUUID) {
        let file = driver.config.ramFile(uuid: uuid.description)
        driver.log.bestEffort("remove the guest RAM file", domain: uuid.description) {
            try VirFile.remove(file)
            try VirFile.deleteTree((file as NSString).deletingLastPathComponent)
        }
    }

    static func logReason(_ reason: ShutoffReason) -> String {
        switch reason {
        case .destroyed: return "destroyed"
        case .shutdown: return "shutdown"
        case .migrated: return "migrated"
        case .crashed: return "crashed"
        case .failed: return "failed"
        default: return "unknown"
        }
    }

    // MARK: QEMU's events

    static func attachHandlers(_ driver: QemuDriverState, _ obj: DomainObj, _ instance: QemuInstance) {
        instance.setEventHandler { [weak obj] event in
            guard let obj else { return }
            handle(event, driver, obj)
        }
        instance.onExit { [weak obj] in
            guard let obj else { return }
            processExited(driver, obj, instance)
        }
    }

    static func handle(_ event: QemuMonitorEvent, _ driver: QemuDriverState, _ obj: DomainObj) {
        guard !driver.isClosed else { return }
        switch event.name {
        case "STOP":
            if let m = obj.qemu.migration, m.role == .outgoing {
                m.noteSourceStopped(at: event.timestamp.map(\.millisecondsSinceEpoch) ?? VirTime.millisNow())
            }
            stopped(driver, obj)
        case "RESUME": resumed(driver, obj)
        case "MIGRATION":
            if let status = event.data["status"]?.stringValue {
                obj.qemu.migration?.noteQemuStatus(MigrationStatus(qemuName: status))
            }
        case "MIGRATION_PASS":
            // libvirt: qemuProcessHandleMigrationPass, which queues a
            // migration-iteration event beside the job's count.
            if let pass = event.data["pass"]?.uint64Value, let m = obj.qemu.migration {
                m.notePass(pass)
                driver.emit(obj, kind: .migrationIteration(Int32(clamping: pass)))
            }
        case "DEVICE_DELETED":
            if let alias = event.data["device"]?.stringValue { QemuHotplug.deviceDeleted(driver, obj, alias: alias) }
        case "RESET":
            obj.qemu.state.withLock { $0.resets += 1 }
        case "SHUTDOWN" where QemuFakeReboot.isPending(obj):
            obj.qemu.state.withLock { $0.shutdowns += 1 }
            QemuFakeReboot.guestPoweredOff(driver, obj)
        case "SHUTDOWN":
            obj.qemu.state.withLock {
                $0.guestShutdown = true
                $0.shutdowns += 1
            }
            if event.data["guest"]?.boolValue == true {
                obj.setState(.shutdown(.user))
                driver.emit(obj, .shutdown(1))
            }
        default: break
        }
    }

    /// libvirt: `qemuProcessHandleStop`.
    static func stopped(_ driver: QemuDriverState, _ obj: DomainObj) {
        // QEMU paused on the guest's power-off, for a reboot: the domain runs on.
        if obj.qemu.state.withLock({ $0.pausedShutdown }) { return }
        let pending = obj.qemu.state.withLock { s -> PausedReason? in
            defer { s.pendingPausedReason = nil }
            return s.pendingPausedReason
        }
        let migrating = obj.qemu.jobs.asyncJob == .migrationOut
        let reason = pending ?? (migrating ? .migration : .unknown)
        let changed = obj.qemu.withFilesLock { () -> Bool in
            let changed = obj.withLock { f -> Bool in
                guard f.state.state == .running else { return false }
                f.state = .paused(reason)
                return true
            }
            if changed { driver.writeStatusLogged(obj) }
            return changed
        }
        guard changed else { return }
        driver.emit(obj, .suspended(reason == .migration ? .migrated : reason == .ioError ? .ioError : .paused))
    }

    /// libvirt: `qemuProcessHandleResume`.
    static func resumed(_ driver: QemuDriverState, _ obj: DomainObj) {
        let pending = obj.qemu.state.withLock { s -> RunningReason? in
            defer { s.pendingRunningReason = nil }
            return s.pendingRunningReason
        }
        let reason = pending ?? .unpaused
        let changed = obj.qemu.withFilesLock { () -> Bool in
            let changed = obj.withLock { f -> Bool in
                guard f.state.state != .running, f.id != nil else { return false }
                f.state = .running(reason)
                return true
            }
            if changed { driver.writeStatusLogged(obj) }
            return changed
        }
        guard changed else { return }
        let detail: LifecycleEvent.ResumedDetail
        switch reason {
        case .migrated: detail = .migrated
        case .postcopy: detail = .postcopy
        default: detail = .unpaused
        }
        driver.emit(obj, .resumed(detail))
    }

    /// QEMU went away without the driver stopping it: the guest powered off,
    /// QEMU crashed, or someone killed it.
    ///
    /// libvirt: `qemuProcessHandleMonitorEOF` and `processMonitorEOFEvent`.
    static func processExited(_ driver: QemuDriverState, _ obj: DomainObj, _ instance: QemuInstance) {
        guard !driver.isClosed else { return }
        let (expected, guestShutdown) = obj.qemu.state.withLock { s -> (Bool, Bool) in
            (s.stopping || s.instance !== instance, s.guestShutdown)
        }
        guard !expected else { return }
        if obj.qemu.migration?.role == .incoming {
            // What QEMU said before it died is what Finish reports (a
            // stream it could not load: "Machine type received is ...").
            let said = instance.log.read(sinceStartOf: instance.id)
            driver.saveMigrationError(obj.name, VirError(.internalError, said.isEmpty ? "qemu unexpectedly closed the monitor"
                                                                           : "qemu unexpectedly closed the monitor: \(said)"))
        }
        instance.log.appendLine("shutting down, reason=\(guestShutdown ? "shutdown" : "crashed"), instance id \(instance.id)")
        cleanup(driver, obj, reason: guestShutdown ? .shutdown : .crashed, event: guestShutdown ? .shutdown : .failed)
    }

    // MARK: reconnect

    /// What reconnecting found.
    public struct ReconnectReport: Sendable {
        /// Instances found alive and attached.
        public var attached: [DomainObj] = []
        /// Instances whose QEMU was gone, cleaned up (their status files).
        public var cleaned: [String] = []
    }

    /// How a driver that opens a root gets back to the QEMUs running under it.
    public enum ReconnectMode: Sendable {
        /// Every instance's monitor at once, as libvirt's daemon does: QEMU's
        /// events reach the driver from the start (a long-running daemon).
        case eager
        /// Only what the status files and /proc say; a monitor is connected
        /// when a command first needs it (`QemuInstance.monitor()`): a
        /// short-lived driver (a virsh command on an embedded root) pays for
        /// the instances it touches, not for every one that runs.
        case onDemand
    }

    /// Finds again every instance the status files describe, after the
    /// persistent configs are loaded: live ones are attached with their id
    /// and state, gone ones are cleaned up (directory, sockets, RAM file).
    /// Whether an instance is alive is read from /proc: its pid, that
    /// process's start time and command line (`QemuProcess.find`); with
    /// `.onDemand` nothing else is asked, its state is the status file's
    /// (written before every API call that changes it returns) until its
    /// monitor is connected, which then catches up (`refreshState`).
    /// Instances whose status says they take part in a migration are left
    /// to the caller, their monitors connected whatever the mode:
    /// recovering a migration asks QEMU where it stands.
    ///
    /// libvirt: `qemuProcessReconnectAll`.
    public static func reconnectAll(_ driver: QemuDriverState, mode: ReconnectMode = .eager,
                                    isMigrationInstance: (QemuStatusFile.Instance) -> Bool = { _ in false }) async -> (ReconnectReport, [(QemuStatusFile, QemuInstance?)]) {
        var report = ReconnectReport()
        var migrationInstances: [(QemuStatusFile, QemuInstance?)] = []
        // The id counter goes past every id found, in one update.
        var highestID = 0
        defer {
            if highestID > 0 {
                driver.log.bestEffort("observe instance id \(highestID)", domain: driver.config.stateDir) { try driver.ids.observe(highestID) }
            }
        }
        /// An instance whose status file cannot be read: nothing could ever
        /// manage it, so its QEMU (found by its pid file) stops and its
        /// directory goes.
        func unreadable(_ file: String, _ error: VirError) {
            driver.log.warning("cannot read status file \(file), removing its instance directory: \(error)",
                               metadata: ["domain": "\(file)", "step": "reconnect"])
            let dir = (file as NSString).deletingLastPathComponent
            QemuProcess.stopOrphan(instanceDir: dir)
            QemuProcess.removeInstanceDir(dir)
            report.cleaned.append(file)
        }
        let (surveyed, indexed) = await survey(QemuProcess.statusFiles(config: driver.config), config: driver.config)
        saveIndex(driver, surveyed, indexed: indexed)
        for (file, read, found) in surveyed.map({ ($0.file, $0.header, $0.found) }) {
            let header: QemuStatusHeader
            do {
                header = try read.get()
            } catch where error.code == .readFailed && !FileManager.default.fileExists(atPath: file) {
                // An instance directory without status: a driver died while starting it.
                let dir = (file as NSString).deletingLastPathComponent
                QemuProcess.stopOrphan(instanceDir: dir)
                QemuProcess.removeInstanceDir(dir)
                report.cleaned.append(dir)
                continue
            } catch {
                unreadable(file, error)
                continue
            }
            highestID = max(highestID, header.id ?? 0)
            // A live instance of a defined domain, on demand, and placed by
            // the driver: in the tables now, its live definition read when
            // a command needs it.
            if mode == .onDemand, let instance = found, instance.isExitWatched, header.instance.addressesAssigned,
               !isMigrationInstance(header.instance), header.instance.persistent,
               let obj = attachDeferred(driver, header, instance) {
                report.attached.append(obj)
                continue
            }
            let status: QemuStatusFile
            do { status = try header.read() } catch {
                if let instance = found { await QemuProcess.stop(instance, reason: "unreadable status") }
                unreadable(file, error)
                continue
            }
            let instance = found
            if isMigrationInstance(status.instance) {
                // An incoming cpr-transfer QEMU may not have opened its
                // monitor yet: recovery connects it only if a step needs it.
                let migration = status.instance.extra.first { $0.name == QemuStatusExtra.migration.rawValue }
                    .flatMap(QemuMigrationState.from)
                if let migration, migration.role == .incoming, migration.state.withLock({ $0.mode }) == .cprTransfer {
                    migrationInstances.append((status, instance))
                } else {
                    migrationInstances.append((status, await connected(driver, instance, name: status.def.name)))
                }
                continue
            }
            guard let instance else {
                cleanupGone(driver, status)
                // libvirt's qemuProcessReconnect calls a QEMU it cannot get
                // back crashed (QEMU with `set-action`, as here).
                if let obj = driver.domains.findByUUID(status.def.uuid), obj.persistent, !obj.isActive {
                    driver.rememberShutoffReason(obj.uuid, .crashed)
                    obj.setState(.shutoff(.crashed))
                }
                report.cleaned.append(file)
                continue
            }
            do {
                // Without a watch on the process, only its monitor tells
                // when it ends: connect it whatever the mode.
                let obj = try await attach(driver, status, instance, connect: mode == .eager || !instance.isExitWatched)
                report.attached.append(obj)
            } catch {
                if !instance.hasExited { await QemuProcess.stop(instance, reason: "failed") }
                report.cleaned.append(file)
            }
        }
        return (report, migrationInstances)
    }

    /// One status file as `survey` found it.
    struct Surveyed: Sendable {
        let file: String
        let header: Result<QemuStatusHeader, VirError>
        let found: QemuInstance?
        /// The file's key when its header was read, and whether that header
        /// came from the index.
        let key: QemuStatusIndex.FileKey?
        let fromIndex: Bool
    }

    /// Reads every status file's header, from the index where the file is
    /// the one the index read (`QemuStatusIndex`), and looks for its QEMU
    /// in /proc, on as many threads as the host has CPUs (libvirt's
    /// qemuProcessReconnectAll runs one thread per domain); in the files'
    /// order. A missing status file (an instance directory without one) is
    /// a `readFailed` error.
    ///
    /// - Returns: what was found, and how many entries the index held.
    static func survey(_ files: [String], config: QemuDriverConfig) async -> ([Surveyed], indexed: Int) {
        let index = QemuStatusIndex.load(stateDir: config.stateDir)
        @Sendable func one(_ file: String) -> Surveyed {
            let key = QemuStatusIndex.FileKey.of(file)
            let header: QemuStatusHeader
            var fromIndex = false
            if let key, let entry = index[file], entry.key == key {
                header = entry.header
                fromIndex = true
            } else {
                do throws(VirError) {
                    header = try QemuStatusHeader(path: file)
                } catch {
                    return Surveyed(file: file, header: .failure(error), found: nil, key: nil, fromIndex: false)
                }
            }
            guard header.id != nil else {
                return Surveyed(file: file, header: .failure(VirError(.internalError, "no domain id in \(file)")), found: nil,
                                key: nil, fromIndex: false)
            }
            return Surveyed(file: file, header: .success(header), found: QemuProcess.find(header, config: config), key: key,
                            fromIndex: fromIndex)
        }
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, files.count / 2)
        guard workers > 1 else { return (files.map(one), index.count) }
        let found = await withTaskGroup(of: (Int, [Surveyed]).self) { group in
            for w in 0..<workers {
                group.addTask { (w, stride(from: w, to: files.count, by: workers).map { one(files[$0]) }) }
            }
            var parts = [[Surveyed]](repeating: [], count: workers)
            for await (w, part) in group { parts[w] = part }
            // Back in order: file i is part i % workers, item i / workers.
            return files.indices.map { parts[$0 % workers][$0 / workers] }
        }
        return (found, index.count)
    }

    /// Writes the index again when what it holds (`indexed` entries) is
    /// not what the survey found: the headers of the live instances, as
    /// read. Instances found gone are left out (reconnect cleans them up).
    static func saveIndex(_ driver: QemuDriverState, _ surveyed: [Surveyed], indexed: Int) {
        let kept = surveyed.filter { s in
            guard s.found != nil, s.key != nil, case .success(let header) = s.header else { return false }
            return QemuStatusIndex.isCacheable(header)
        }
        // Unchanged: every entry kept came from the index, and the index
        // holds no other.
        guard kept.contains(where: { !$0.fromIndex }) || kept.count != indexed else { return }
        let entries = kept.compactMap { s -> QemuStatusIndex.Entry? in
            guard let key = s.key, case .success(let header) = s.header else { return nil }
            return QemuStatusIndex.Entry(key: key, header: header)
        }
        driver.log.bestEffort("write the status index", domain: driver.config.stateDir) {
            try QemuStatusIndex.save(entries, stateDir: driver.config.stateDir)
            driver.noteStatusIndexWritten()
        }
    }

    /// The instance with its monitor connected, or `nil` (logged) when the
    /// monitor cannot be reached: what recovering a migration needs. A QEMU
    /// the driver cannot talk to is stopped, as `finishAttach` stops one
    /// (libvirt's qemuProcessReconnect): the caller then drops its
    /// directory, and nothing may run that no status file describes.
    static func connected(_ driver: QemuDriverState, _ instance: QemuInstance?, name: String) async -> QemuInstance? {
        guard let instance else { return nil }
        do {
            _ = try await instance.monitor()
            return instance
        } catch {
            driver.log.warning("cannot reconnect to the monitor of process \(instance.pid), stopping it: \(error)",
                               metadata: ["domain": "\(name)", "step": "reconnect"])
            await QemuProcess.stop(instance, graceful: false, reason: "failed", removeDirectory: false)
            return nil
        }
    }

    /// Puts a live instance found from its status file back in the tables,
    /// with the state its status file recorded. The state is brought up to
    /// date with what QEMU reports once its monitor is connected, before
    /// anyone else uses that monitor: with `connect`, here, before the
    /// object is handed to anyone; otherwise when a command first needs the
    /// monitor. Either way it never races an API call (a `suspend` whose
    /// reason a late refresh would overwrite).
    ///
    /// - Throws: the object cannot go in the tables, or (with `connect`)
    ///   its monitor cannot be reached, and then the instance is stopped.
    public static func attach(_ driver: QemuDriverState, _ status: QemuStatusFile, _ instance: QemuInstance,
                              remote: Bool = false, connect: Bool = true) async throws -> DomainObj {
        let obj: DomainObj
        if remote {
            obj = try driver.domains.addRemote(status.def)
        } else {
            obj = try driver.domains.add(status.def, flags: .live).obj
        }
        // An instance started before the driver assigned PCI addresses is
        // connected at once: its live definition must hold QEMU's places
        // before anything (a migration's Begin) reads it.
        try await finishAttach(driver, obj, status.instance, instance, connect: connect || QemuDomainAddress.placedByQemu(obj.def))
        return obj
    }

    /// `attach` for a live instance of a defined domain whose status file
    /// says the driver placed every device: the domain goes in the tables
    /// with its live definition parsed when first read (a command that
    /// lists domains, or touches one, never parses the others'), its
    /// monitor connected when a command first needs it.
    ///
    /// - Returns: the object; `nil` when the domain is not a defined,
    ///   inactive one of that name (the caller reads the whole file and
    ///   uses `attach`).
    static func attachDeferred(_ driver: QemuDriverState, _ header: QemuStatusHeader, _ instance: QemuInstance) -> DomainObj? {
        let log = driver.log
        let deferred = DeferredDomainDef(parse: { () throws(VirError) -> DomainDef in try header.read().def }) { error in
            log.error("cannot read the live definition in \(header.path), the persistent definition stands for it: \(error)",
                      metadata: ["domain": "\(header.name)", "step": "reconnect"])
        }
        guard let obj = driver.domains.addDeferredLive(uuid: header.uuid, name: header.name, deferred) else { return nil }
        setUpAttached(driver, obj, header.instance, instance)
        return obj
    }

    /// What every attach does once the object is in the tables: id,
    /// state, the instance and its handlers; with `connect`, the monitor.
    static func finishAttach(_ driver: QemuDriverState, _ obj: DomainObj, _ status: QemuStatusFile.Instance,
                             _ instance: QemuInstance, connect: Bool) async throws {
        setUpAttached(driver, obj, status, instance)
        guard connect else { return }
        if let monitor = instance.connectedMonitor {
            // Connected before it had an object (a migration's instance).
            await catchUp(driver, obj, monitor)
        } else {
            do { _ = try await instance.monitor() } catch {
                // As libvirt's qemuProcessReconnect: a QEMU the driver
                // cannot talk to is stopped, not left running unseen.
                driver.log.warning("cannot reconnect to the monitor of process \(instance.pid), stopping it: \(error)",
                                   metadata: ["domain": "\(obj.name)", "step": "reconnect"])
                await stop(driver, obj, reason: .failed, event: .failed)
                throw error
            }
        }
    }

    private static func setUpAttached(_ driver: QemuDriverState, _ obj: DomainObj, _ status: QemuStatusFile.Instance,
                                      _ instance: QemuInstance) {
        driver.domains.assignID(obj, instance.id)
        obj.withLock { f in
            f.state = status.state
            if !f.persistent { f.persistent = status.persistent }
        }
        obj.qemu.state.withLock { s in
            s.instance = instance
            s.statusExtras = Dictionary(status.extra.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            s.taint = status.taint
        }
        attachHandlers(driver, obj, instance)
        instance.setReconnectHandler { [weak obj] monitor in
            guard let obj else { return }
            await catchUp(driver, obj, monitor)
        }
    }

    /// What a reconnected monitor is asked first, before anyone else uses
    /// it: the running state, where QEMU placed the devices of an older
    /// instance, the vCPUs it has.
    static func catchUp(_ driver: QemuDriverState, _ obj: DomainObj, _ monitor: QemuMonitor) async {
        driver.noteMonitorReconnect(obj)
        await refreshState(driver, obj, monitor)
        await recordPCIPlacement(driver, obj, monitor)
        await refreshVcpus(driver, obj, monitor)
    }

    /// The vCPUs QEMU has now, which may differ from the status file's: an
    /// unplug the guest finished after the driver stopped waiting (its
    /// `DEVICE_DELETED` came when no driver listened). Only guests with
    /// hot-pluggable vCPUs are asked.
    ///
    /// libvirt: `qemuDomainRefreshVcpuInfo` with `state` and
    /// `qemuDomainVcpuPersistOrder`, from `qemuProcessReconnect`.
    static func refreshVcpus(_ driver: QemuDriverState, _ obj: DomainObj, _ monitor: QemuMonitor) async {
        guard obj.def.vcpuList.contains(where: { $0.hotpluggable == true }) else { return }
        let entities: [QemuVcpuHotplug.Entity]
        do { entities = try await QemuVcpuHotplug.entities(monitor) } catch {
            driver.log.warning("cannot read QEMU's vCPUs, keeping the recorded ones: \(error)",
                               metadata: ["domain": "\(obj.name)", "step": "reconnect"])
            return
        }
        let (changed, unplugged) = obj.withLock { f in
            let before = f.def
            QemuVcpuHotplug.adopt(entities, into: &f.def)
            return (f.def != before, f.def.currentVcpus < before.currentVcpus)
        }
        if unplugged { obj.qemu.setStatusExtra(.vcpuUnplugged, XMLElement(QemuStatusExtra.vcpuUnplugged.rawValue)) }
        if changed { driver.saveStatus(obj) }
    }

    /// An instance started before this driver assigned PCI addresses: its
    /// live definition takes the places its QEMU chose (`query-pci`), so
    /// that a migration's destination is started with them.
    static func recordPCIPlacement(_ driver: QemuDriverState, _ obj: DomainObj, _ monitor: QemuMonitor) async {
        guard QemuDomainAddress.placedByQemu(obj.def) else { return }
        let placements: [QemuMonitorPCIDevice]
        do { placements = try await monitor.queryPCI() } catch {
            driver.log.warning("cannot read where QEMU placed the PCI devices, leaving them unaddressed: \(error)",
                               metadata: ["domain": "\(obj.name)", "step": "reconnect"])
            return
        }
        var def = obj.def
        guard QemuDomainAddress.adopt(&def, placements: placements) else {
            driver.log.warning("query-pci does not list every PCI device, leaving them unaddressed",
                               metadata: ["domain": "\(obj.name)", "step": "reconnect"])
            return
        }
        obj.withLock { $0.def = def }
        driver.saveStatus(obj)
    }

    /// Reads the running state from QEMU, which may have changed while no
    /// driver watched it.
    static func refreshState(_ driver: QemuDriverState, _ obj: DomainObj, _ monitor: QemuMonitor) async {
        let status: (running: Bool, status: String)
        do { status = try await monitor.queryStatus() } catch {
            driver.log.warning("cannot read the running state, keeping the status file's: \(error)",
                               metadata: ["domain": "\(obj.name)", "step": "reconnect"])
            return
        }
        // The guest powered off for a reboot while no driver watched: the
        // reboot is finished now (libvirt: qemuProcessReconnect's
        // "Finishing shutdown sequence").
        if status.status == "shutdown" && QemuFakeReboot.isPending(obj) {
            QemuFakeReboot.guestPoweredOff(driver, obj)
            return
        }
        let changed = obj.withLock { f -> Bool in
            let now = f.state
            if status.running, now.state != .running { f.state = .running(.unpaused); return true }
            if !status.running, now.state == .running {
                f.state = .paused(PausedReason(qemuStatus: status.status))
                return true
            }
            return false
        }
        if changed { driver.saveStatus(obj) }
    }

    /// An instance whose QEMU is gone: its directory goes, and the RAM file
    /// when no other instance of the domain lives.
    public static func cleanupGone(_ driver: QemuDriverState, _ status: QemuStatusFile) {
        if let id = status.def.id {
            QemuProcess.removeInstanceDir(QemuInstancePaths(stateDir: driver.config.stateDir, id: id, name: status.def.name))
        }
        QemuLogFile(path: driver.config.logFile(name: status.def.name))
            .appendLine("shutting down, reason=crashed (found gone), instance id \(status.def.id ?? -1)")
        let live = [driver.domains.findByUUID(status.def.uuid), driver.domains.findRemote(byUUID: status.def.uuid)]
            .contains { $0?.qemu.instance.map { !$0.hasExited } ?? false }
        if status.def.memoryBacking?.source == .file && !live {
            removeRAMFile(driver, uuid: status.def.uuid)
        }
    }
}
