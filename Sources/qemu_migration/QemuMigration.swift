import virutil
import Foundation
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_monitor
import qemu_process
import virclosecallbacks
import virdomainobjlist

/// Local live migration, phase by phase (migration protocol v3 with
/// parameters): Begin and Perform and Confirm on the source instance,
/// Prepare and Finish on the incoming instance, which lives in the remote
/// tables until Confirm promotes it (patches 2, 3 and 6 of the series).
///
/// Every phase is its own entry point, so that a client can drive them over
/// two connections that reach the same driver, as `virDomainMigrate3` does.
///
/// libvirt: src/qemu/qemu_migration.c (`qemuMigrationSrcBegin`,
/// `qemuMigrationDstPrepareDirect`, `qemuMigrationSrcPerformPhase`,
/// `qemuMigrationDstFinish`, `qemuMigrationSrcConfirm`).
public enum QemuMigration {
    /// Flags this driver supports for a local migration: the one list
    /// `checkFlags` goes by.
    public static let supportedFlags: MigrateFlags = [.live, .peer2peer, .persistDest, .undefineSource, .paused,
                                                      .changeProtection, .unsafe, .abortOnError, .autoConverge, .local]

    /// The default downtime limit of a local migration (QEMU's is 300 ms).
    public static let localDowntimeLimitMs: UInt64 = 20

    // MARK: Begin (source)

    /// Starts the outgoing job and describes the domain for the destination.
    ///
    /// - Returns: the cookie for Prepare and the domain XML the destination
    ///   runs (the `destination_xml` parameter when given: it may name
    ///   another emulator, not another guest ABI).
    public static func begin(_ d: QemuDriverState, _ obj: DomainObj, params: [TypedParameter],
                             flags: MigrateFlags) async throws(VirError) -> (cookie: String, xml: String) {
        try checkFlags(flags)
        let p = try QemuMigrationParams(params)
        let name = obj.name
        do {
            try await obj.qemu.jobs.beginAsync(.migrationOut, api: "qemuDomainMigrateBegin3Params", domainName: name,
                                               mask: QemuDomainJobs.migrationOutMask)
        } catch { throw error }
        do throws(VirError) {
            guard obj.isActive, obj.qemu.instance != nil else { throw VirError.notRunning }
            let current = obj.def
            var destination = current
            if let destXML = p.destXML {
                var dst = try DomainDef.parse(destXML)
                let caps = try QemuDomainDefPostParse.apply(&dst, caps: d.caps, config: d.config,
                                                            assignAddresses: !QemuDomainAddress.placedByQemu(current))
                QemuDomainDefPostParse.applyMemoryDefault(&dst, config: d.config, caps: caps)
                try DomainABIStability.check(source: current, destination: dst)
                destination = dst
            }
            let xml = destination.format(.migratable)
            if let dn = p.destName, dn != name, flags.contains(.local) {
                throw VirError(.argumentUnsupported, "a local migration keeps the domain's name: destination name '\(dn)' differs from '\(name)'")
            }
            try checkPerInstanceResources(destination)
            if current.virtType == "qemu" && obj.qemu.statusExtra(.vcpuUnplugged) != nil {
                throw VirError(.operationUnsupported,
                               "cannot migrate domain '\(name)': a vCPU was unplugged from its QEMU, which crashes under TCG when it migrates; restart the domain first")
            }
            let m = QemuMigrationState(role: .outgoing, flags: flags, params: p, phase: .begin3)
            m.state.withLock { $0.sourceWasRunning = obj.state.state == .running }
            try recordChecked(d, obj, m)
            QemuMigrationCrashPoint.beginSaved.hit()
            arm(d, obj.uuid, m)
            return (cookie(d, obj).format(), xml)
        } catch {
            obj.qemu.jobs.endAsync()
            throw error
        }
    }

    /// Both instances of a local migration run side by side, so each needs
    /// its own display port and its own tap device: a display on a fixed
    /// port (`autoport='no'`) cannot have a second listener, and a tap the
    /// definition names (`<target dev>`) cannot be opened twice; the
    /// destination QEMU would fail to start. Refused before anything starts.
    static func checkPerInstanceResources(_ def: DomainDef) throws(VirError) {
        for g in def.graphics where (g.type == .vnc || g.type == .spice) && !g.autoport {
            throw VirError(.operationUnsupported,
                           "a local migration needs a display port per instance: \(g.type.rawValue) graphics listens on fixed port \(g.port.map(String.init) ?? "?"); use autoport='yes'")
        }
        for net in def.interfaces where net.usesTap {
            if let dev = net.targetDevice, !dev.hasPrefix(VirNetDevTap.generatedPrefix) {
                throw VirError(.operationUnsupported,
                               "a local migration needs a tap device per instance: interface \(net.mac) uses tap '\(dev)'; leave <target dev> out")
            }
        }
    }

    // MARK: Prepare (destination)

    /// Starts the incoming instance: the remote tables, a new id and
    /// instance directory, QEMU with `-incoming defer`, listening on its
    /// own socket.
    ///
    /// - Returns: the cookie for Perform, the URI the source sends to, and
    ///   the incoming object.
    public static func prepare(_ d: QemuDriverState, cookieIn: String, domXML: String, params: [TypedParameter],
                               flags: MigrateFlags) async throws(VirError) -> (cookie: String, uri: String, obj: DomainObj) {
        try checkFlags(flags)
        let p = try QemuMigrationParams(params)
        var def = try DomainDef.parse(domXML)
        _ = try QemuMigrationCookie.parse(cookieIn, name: def.name, uuid: def.uuid, localHostUUID: d.hostUUID,
                                          local: flags.contains(.local))
        guard flags.contains(.local) else {
            throw VirError(.operationUnsupported, "this driver only migrates within one host: use VIR_MIGRATE_LOCAL (virsh migrate --local)")
        }
        // A reason kept from an earlier incoming migration is stale now.
        _ = d.takeMigrationError(def.name)
        if let dn = p.destName, dn != def.name {
            throw VirError(.argumentUnsupported, "a local migration keeps the domain's name: destination name '\(dn)' differs from '\(def.name)'")
        }
        guard let source = d.domains.findByUUID(def.uuid) else {
            throw VirError(.noDomain, "no domain with matching uuid '\(def.uuid)' (\(def.name)): the destination of a local migration is the driver that runs the domain, \(d.config.uri)")
        }
        guard source.isActive else { throw VirError.notRunning }
        // The destination's emulator (the one on disk now: an in-place
        // upgrade keeps the path) must offer the guest's machine type.
        // The source's PCI addresses come with its XML; a source whose QEMU
        // placed its devices itself (started before addresses were
        // assigned) gets a destination placed the same way.
        let caps = try QemuDomainDefPostParse.apply(&def, caps: d.caps, config: d.config,
                                                    assignAddresses: !QemuDomainAddress.placedByQemu(source.def))
        QemuDomainDefPostParse.applyMemoryDefault(&def, config: d.config, caps: caps)
        try DomainABIStability.check(source: source.def, destination: def)
        try checkListeningSockets(source: source.def, destination: def)
        let mode = try await chooseMode(d, asked: p.localMode, source: source, def: def, caps: caps)

        let dst = try d.domains.addRemote(def)
        do {
            try await dst.qemu.jobs.beginAsync(.migrationIn, api: "qemuDomainMigratePrepare3Params", domainName: def.name)
        } catch {
            d.domains.removeRemote(dst)
            throw error
        }
        do throws(VirError) {
            // In the instance's first status file already: a driver that
            // dies before the phase below is saved leaves an incoming
            // instance its successor rolls back, never one it takes for the
            // domain (a status file without a migration is a promoted
            // destination to recovery, and its source would be stopped).
            let m = QemuMigrationState(role: .incoming, flags: flags, params: p, phase: .prepare)
            m.state.withLock { $0.mode = mode }
            dst.qemu.migration = m
            dst.qemu.setStatusExtra(.migration, m.element)
            let instance = try await QemuDomainProcess.startIncoming(d, dst, def: def, cpr: mode == .cprTransfer)
            QemuMigrationCrashPoint.prepareSpawned.hit()
            let uri = p.migrateURI ?? "unix:" + instance.paths.migrateSocket
            m.state.withLock { $0.listenURI = uri }
            try recordChecked(d, dst, m)
            QemuMigrationCrashPoint.prepareStarted.hit()
            if uri.hasPrefix("unix:") {
                try QemuInstancePaths.checkSocketPath(String(uri.dropFirst(5)))
            }
            // A cpr-transfer destination has no monitor yet: Perform makes
            // it listen once the source has sent the descriptors.
            if mode == .normal {
                do {
                    try await instance.monitor().migrateSetCapabilities(capabilities(for: def, flags: flags, incoming: true))
                    try await instance.monitor().migrateIncoming(uri: uri)
                } catch { throw VirError(error) }
            }
            QemuMigrationCrashPoint.prepareListening.hit()
            d.emit(dst, .started(.migrated))
            arm(d, def.uuid, m)
            return (cookie(d, dst).format(), uri, dst)
        } catch {
            await abandonIncoming(d, dst)
            throw error
        }
    }

    // MARK: Perform (source)

    /// Sends the guest: migration capabilities and parameters (bandwidth
    /// unlimited and a small downtime limit for a local migration, unless
    /// asked otherwise), `migrate`, then QEMU's progress until it completes,
    /// fails or is cancelled. On failure the source guest runs on.
    ///
    /// - Returns: the cookie for Finish (statistics, persistent definition).
    public static func perform(_ d: QemuDriverState, _ obj: DomainObj, cookieIn: String, uri: String,
                               flags: MigrateFlags) async throws(VirError) -> String {
        let m = try outgoing(obj)
        // Read before anything moves: the emulator of an upgrade by
        // destination XML, for the persistent definition (--persistent).
        var newEmulator: String?
        if m.flags.contains(.persistDest) && m.flags.contains(.local), let xml = m.params.destXML {
            newEmulator = try DomainDef.parse(xml).emulator
        }
        try m.enter(.perform3, domain: obj.name)
        defer {
            m.leave()
            arm(d, obj.uuid, m)
        }
        _ = try QemuMigrationCookie.parse(cookieIn, name: obj.name, uuid: obj.uuid, localHostUUID: d.hostUUID,
                                          local: m.flags.contains(.local))
        guard let instance = obj.qemu.instance, !instance.hasExited else {
            m.state.withLock { $0.performFailed = true }
            throw VirError.notRunning
        }
        // Both ends are this driver's: the stream goes to the incoming
        // instance Prepare started, at the address Prepare returned.
        let incoming = d.domains.findRemote(byUUID: obj.uuid)
        let (listening, mode) = incoming.flatMap { $0.qemu.migration }?.state.withLock { ($0.listenURI, $0.mode) } ?? (nil, .normal)
        guard let listening, let incoming else {
            m.state.withLock { $0.performFailed = true }
            throw VirError(.operationInvalid, "domain '\(obj.name)' has no incoming instance: Prepare did not run or its instance is gone")
        }
        guard uri == listening else {
            m.state.withLock { $0.performFailed = true }
            throw VirError(.argumentUnsupported, "migration URI '\(uri)' is not where the incoming instance listens ('\(listening)')")
        }
        // The phase is saved before QEMU sends anything: a status file that
        // cannot be written (a full disk) fails Perform here, nothing moved.
        m.state.withLock { st in
            st.mode = mode
            st.stats.mode = mode
        }
        do {
            try recordChecked(d, obj, m)
        } catch {
            m.state.withLock { $0.performFailed = true }
            throw error
        }
        do {
            let def = obj.def
            // The migration's own parameters, else what the user set for
            // the domain (migrate-setspeed, migrate-setmaxdowntime), else
            // the local defaults.
            let limits = d.migrationLimits(obj.uuid)
            let bandwidth = (m.params.bandwidth ?? limits.bandwidth).map { Int64(min($0, QemuMigrationLimits.bandwidthMax)) * 1_048_576 } ?? Int64.max
            let downtime = m.params.downtime ?? limits.downtime ?? (m.flags.contains(.local) ? localDowntimeLimitMs : 300)
            let parameters: [String: JSONValue] = ["max-bandwidth": .int(bandwidth), "downtime-limit": .int(Int64(downtime))]
            if !m.flags.contains(.live) && obj.state.state == .running {
                try await QemuDomainProcess.stopCPUs(d, obj, reason: .migration)
            }
            if mode == .cprTransfer {
                try await performCPRTransfer(d, source: instance, destination: incoming, def: def, flags: m.flags,
                                             parameters: parameters, uri: uri)
            } else {
                try await instance.monitor().migrateSetCapabilities(capabilities(for: def, flags: m.flags, incoming: false))
                try await instance.monitor().migrateSetParameters(parameters)
                try await instance.monitor().migrate(uri: uri)
            }
            QemuMigrationCrashPoint.performMigrating.hit()
            instance.onExit { [weak m] in m?.events.broadcast() }
            try await waitForCompletion(d, obj, instance, m)
            QemuMigrationCrashPoint.performCompleted.hit()
        } catch {
            m.state.withLock { $0.performFailed = true }
            if instance.hasExited || (instance.isMonitorClosed && !d.isClosed) {
                // The source QEMU went away: the error is reported once the
                // driver has dealt with its exit (the domain shut off, its
                // instance directory gone), not while it still does.
                _ = await instance.waitForExitHandled(timeout: .seconds(60))
            } else {
                await restoreSource(d, obj, m)
            }
            record(d, obj, m)
            throw VirError.wrap(error)  // QMP errors become libvirt errors here, once
        }
        m.state.withLock { $0.phase = .perform3Done }
        record(d, obj, m)
        QemuMigrationCrashPoint.performSaved.hit()
        var out = cookie(d, obj)
        out.statistics = m.stats
        if m.flags.contains(.persistDest) {
            out.mandatoryFeatures = ["persistent"]
            var persistent = obj.persistentDef
            // An upgrade by destination XML (another emulator binary, the
            // same guest): the persistent definition follows the emulator,
            // where libvirt would send the source's unchanged.
            if let emulator = newEmulator { persistent.emulator = emulator }
            out.persistent = persistent
        }
        return out.format()
    }

    /// Follows the migration with QEMU's `MIGRATION` events until it
    /// completes, fails or is cancelled, then reads the final figures once
    /// with `query-migrate`. A `query-migrate` every 250 ms meanwhile keeps
    /// the statistics fresh and is the safety net should an event be lost.
    ///
    /// libvirt: `qemuMigrationSrcWaitForCompletion` (`virDomainObjWait` on
    /// the condition the MIGRATION event handler broadcasts).
    static func waitForCompletion(_ d: QemuDriverState, _ obj: DomainObj, _ instance: QemuInstance,
                                  _ m: QemuMigrationState) async throws(VirError) {
        let interval: Duration = .milliseconds(250)
        var cancelSent = false
        var lastQuery = ContinuousClock.now
        while true {
            if instance.hasExited {
                throw VirError(.operationFailed, "job 'migration out' failed: QEMU exited")
            }
            if obj.qemu.jobs.abortRequested && !cancelSent {
                cancelSent = true
                // A cancel that fails leaves the migration to end by itself: the loop sees how.
                await d.log.bestEffort("migrate_cancel", domain: obj.name) { try await instance.monitor().migrateCancel() }
            }
            let generation = m.events.generation
            let announced = m.state.withLock { $0.qemuStatus }
            let waited = ContinuousClock.now - lastQuery
            if announced?.isFinished != true && waited < interval {
                await m.events.wait(since: generation, timeout: interval - waited)
                continue
            }
            lastQuery = ContinuousClock.now
            let s: MigrationStats
            do { s = try await instance.monitor().queryMigrate() } catch {
                if instance.hasExited || error.isEndOfFile {
                    throw VirError(.operationFailed, "job 'migration out' failed: QEMU exited")
                }
                throw VirError(error)
            }
            m.state.withLock { st in
                st.stats.update(from: s)
                if s.status == .completed {
                    let now = VirTime.millisNow()
                    // The downtime starts when the source's CPUs stopped.
                    st.stats.stopped = st.sourceStopped.map { min($0, now) } ?? now
                    st.stats.sent = now
                }
            }
            switch s.status {
            case .completed:
                return
            case .failed:
                if let e = s.errorDescription {
                    throw VirError(.operationFailed, "job 'migration out' failed: \(e)")
                }
                throw VirError(.operationFailed, "job 'migration out' unexpectedly failed")
            case .cancelled:
                throw VirError(.operationAborted, "job 'migration out' canceled by client")
            default:
                continue
            }
        }
    }

    // MARK: Finish (destination)

    /// Ends the incoming side: on success waits for the incoming migration
    /// to land, lets the guest run (`cont`, unless `VIR_MIGRATE_PAUSED`) and
    /// records the statistics; when `cancelled`, or on any failure, kills
    /// the incoming instance and drops it.
    ///
    /// - Returns: the incoming object, running; `nil` when cancelled.
    @discardableResult
    public static func finish(_ d: QemuDriverState, name: String, cookieIn: String, flags: MigrateFlags,
                              cancelled: Bool) async throws(VirError) -> DomainObj? {
        guard let dst = d.domains.findRemote(byName: name) else {
            // The incoming QEMU died (and is cleaned up): its reason.
            if let saved = d.takeMigrationError(name) { throw saved }
            if cancelled { return nil }
            throw VirError(.noDomain, "no domain with matching name '\(name)'")
        }
        guard let m = dst.qemu.migration, m.role == .incoming else {
            throw VirError(.operationInvalid, "domain '\(name)' is not processing incoming migration")
        }
        try m.enter(.finish3, domain: name)
        defer { m.leave() }
        if cancelled {
            // A destination QEMU that died (it could not load the stream)
            // said why in its log: that is Finish's error, as libvirt
            // reports the incoming QEMU's last error here.
            var died: VirError?
            let instance = dst.qemu.instance
            if let instance, await incomingQemuEnds(instance) {
                died = QemuMigration.incomingQemuDied(instance.log.read(sinceStartOf: instance.id))
            }
            await abandonIncoming(d, dst)
            // Its exit handler may save the same error: once it has run,
            // what it saved is taken here, not left for a later Finish.
            if died != nil, let instance { _ = await instance.waitForExitHandled(timeout: .seconds(10)) }
            let saved = d.takeMigrationError(name)
            if let error = died ?? saved { throw error }
            return nil
        }
        // No Finish without a Perform that succeeded: the source says.
        let sourcePhase = d.domains.findByUUID(dst.uuid).flatMap { $0.qemu.migration }
            .flatMap { $0.role == .outgoing ? $0.state.withLock { ($0.phase, $0.performFailed) } : nil }
        guard let sourcePhase, sourcePhase.0 == .perform3Done || sourcePhase.0 == .confirm3, !sourcePhase.1 else {
            await abandonIncoming(d, dst)
            throw VirError(.operationInvalid, "migration of domain '\(name)' was not performed: the incoming instance is abandoned and the domain runs on in its source instance")
        }
        do throws(VirError) {
            let cookie = try QemuMigrationCookie.parse(cookieIn, name: name, uuid: dst.uuid, localHostUUID: d.hostUUID,
                                                       local: m.flags.contains(.local))
            guard let instance = dst.qemu.instance, !instance.hasExited else {
                throw VirError(.operationFailed, "job 'migration in' failed: QEMU exited")
            }
            try await waitForIncoming(instance)
            var persistent: DomainDef?
            if m.flags.contains(.persistDest) {
                if let xml = m.params.persistXML {
                    persistent = try DomainDef.parse(xml)
                } else {
                    persistent = cookie.persistent
                }
            }
            m.state.withLock { st in
                if let s = cookie.statistics { st.stats = s }
                st.persistentDef = persistent
            }
            // Saved before `cont`: from here on the destination may run the
            // guest, so a driver that dies now must complete the migration,
            // never roll it back (the destination holds the whole state).
            try recordChecked(d, dst, m)
            // A reboot by ACPI asked before the move: the guest's power-off
            // in the new QEMU is still a reboot (libvirt's cookie does not
            // carry it, so a guest rebooted just before a migration would
            // power off; a local migration knows its source).
            if let source = d.domains.findByUUID(dst.uuid), source !== dst, QemuFakeReboot.isPending(source) {
                await d.log.bestEffort("keep the pending reboot in the new QEMU", domain: name) {
                    try await QemuFakeReboot.arm(d, dst, instance.monitor())
                }
            }
            QemuMigrationCrashPoint.finishResuming.hit()
            if m.flags.contains(.paused) {
                dst.setState(.paused(.user))
                d.emit(dst, .suspended(.paused))
            } else {
                try await QemuDomainProcess.startCPUs(d, dst, reason: .migrated)
            }
            // The downtime the guest had: from the source's stop to now,
            // when the destination runs it.
            m.state.withLock { $0.stats.updateDowntime(now: VirTime.millisNow()) }
            QemuMigrationCrashPoint.finishResumed.hit()
            m.state.withLock { $0.phase = .finished }
            record(d, dst, m)
            QemuMigrationCrashPoint.finishSaved.hit()
            dst.qemu.jobs.endAsync()
            return dst
        } catch {
            await abandonIncoming(d, dst)
            throw error
        }
    }

    /// Whether an incoming QEMU whose stream ended early exits: one that
    /// took part of a stream exits when the stream breaks or cannot be
    /// loaded, a moment after the source saw the failure; one that never
    /// got a connection waits on (Perform refused before sending).
    static func incomingQemuEnds(_ instance: QemuInstance) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if instance.hasExited { return true }
            guard !instance.isMonitorClosed else { return await instance.waitForExit(timeout: .seconds(5)) }
            // The monitor may close under the query: that is the exit coming.
            guard let s = try? await instance.monitor().queryMigrate() else { continue }
            if s.status == .none || s.status == .setup { return false }
            await VirTime.pause(.milliseconds(20))
        }
        return instance.hasExited
    }

    /// The error of an incoming QEMU that died, with what it said last.
    ///
    /// libvirt: `qemuProcessReportLogError` with the prefix "qemu
    /// unexpectedly closed the monitor" (an EOF during incoming migration).
    public static func incomingQemuDied(_ said: String) -> VirError {
        VirError(.internalError, said.isEmpty ? "qemu unexpectedly closed the monitor" : "qemu unexpectedly closed the monitor: \(said)")
    }

    /// Waits until the incoming QEMU has taken the whole state.
    static func waitForIncoming(_ instance: QemuInstance) async throws(VirError) {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let status: (running: Bool, status: String)
            do { status = try await instance.monitor().queryStatus() } catch { throw VirError(error) }
            if status.status != "inmigrate" { break }
            // A probe: if the monitor fails, the next query-status reports it.
            if let s = try? await instance.monitor().queryMigrate(), s.status == .failed {
                throw VirError(.operationFailed, "job 'migration in' failed: \(s.errorDescription ?? "unexpectedly failed")")
            }
            if ContinuousClock.now >= deadline {
                throw VirError(.operationTimeout, "job 'migration in' did not complete")
            }
            await VirTime.pause(.microseconds(500))
        }
    }

    // MARK: Confirm (source)

    /// Ends the outgoing side. After a successful Finish: the incoming
    /// object replaces the source object in the source tables (promotion,
    /// patch 6), then the source QEMU stops. When `cancelled` or when
    /// Perform failed: the source guest runs on and what is left of the
    /// incoming instance goes.
    public static func confirm(_ d: QemuDriverState, _ obj: DomainObj, cookieIn: String?, cancelled: Bool) async throws(VirError) {
        let m = try outgoing(obj)
        try m.enter(.confirm3, domain: obj.name)
        defer { m.leave() }
        let failed = m.state.withLock { $0.performFailed }
        let destinationRuns = d.domains.findRemote(byUUID: obj.uuid).flatMap { $0.qemu.migration }?
            .phase == .finished
        if cancelled && destinationRuns {
            // The destination already ran the guest: going back would lose
            // what it did since. The client's cancel comes too late.
            d.log.warning("Confirm asked to cancel a migration whose destination already runs the guest: completing it",
                          metadata: ["domain": "\(obj.name)", "step": "confirm"])
            try await completeSource(d, obj, m)
            return
        }
        if cancelled || failed {
            await rollbackSource(d, obj, m)
            return
        }
        try await completeSource(d, obj, m)
    }

    // MARK: shared steps

    static func outgoing(_ obj: DomainObj) throws(VirError) -> QemuMigrationState {
        guard let m = obj.qemu.migration, m.role == .outgoing,
              obj.qemu.jobs.asyncJob == .migrationOut else {
            throw VirError(.operationInvalid, "domain '\(obj.name)' is not being migrated")
        }
        return m
    }

    static func checkFlags(_ flags: MigrateFlags) throws(VirError) {
        let unknown = flags.subtracting(MigrateFlags.known)
        if !unknown.isEmpty {
            throw VirError.unsupportedFlags(unknown.rawValue, in: "qemuDomainMigrateBegin3Params")
        }
        let refused = flags.subtracting(supportedFlags)
        guard !refused.isEmpty else { return }
        for (flag, name, why) in unsupportedFlagReasons where refused.contains(flag) {
            throw VirError(.argumentUnsupported, "migration flag \(name) is not supported for local migration: \(why)")
        }
        throw VirError(.argumentUnsupported, "migration flags 0x\(String(refused.rawValue, radix: 16)) are not supported for local migration")
    }

    /// Why each flag libvirt knows and this driver does not support is
    /// refused (`checkFlags` refuses by `supportedFlags`; this says why).
    static let unsupportedFlagReasons: [(MigrateFlags, String, String)] = [
        (.tunnelled, "VIR_MIGRATE_TUNNELLED", "the migration stream never leaves the host"),
        (.offline, "VIR_MIGRATE_OFFLINE", "an inactive domain has nothing to migrate within one host"),
        (.nonSharedDisk, "VIR_MIGRATE_NON_SHARED_DISK", "both instances open the same disk images"),
        (.nonSharedInc, "VIR_MIGRATE_NON_SHARED_INC", "both instances open the same disk images"),
        (.compressed, "VIR_MIGRATE_COMPRESSED", "compression only slows a local migration"),
        (.rdmaPinAll, "VIR_MIGRATE_RDMA_PIN_ALL", "there is no RDMA within one host"),
        (.postcopy, "VIR_MIGRATE_POSTCOPY", "not supported by this driver"),
        (.postcopyResume, "VIR_MIGRATE_POSTCOPY_RESUME", "not supported by this driver"),
        (.tls, "VIR_MIGRATE_TLS", "the stream is a UNIX socket within one host"),
        (.parallel, "VIR_MIGRATE_PARALLEL", "not supported by this driver"),
        (.nonSharedSynchronousWrites, "VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES", "both instances open the same disk images"),
        (.zerocopy, "VIR_MIGRATE_ZEROCOPY", "not supported by this driver"),
    ]

    /// What both QEMUs must agree on: `events` (QEMU announces each status
    /// change and pass, which Perform follows, as libvirt turns it on for
    /// every QEMU), `x-ignore-shared` when guest RAM is a
    /// shared file (it is then not copied at all), `validate-uuid` (the
    /// destination checks it receives the right guest), and
    /// `late-block-activate` on the destination (it takes the disk images
    /// only when it resumes, so that a rollback gives them back).
    static func capabilities(for def: DomainDef, flags: MigrateFlags, incoming: Bool) -> [String: Bool] {
        var caps: [String: Bool] = [
            "events": true,
            "x-ignore-shared": def.memoryBacking?.isSharedFile == true,
            "validate-uuid": true,
        ]
        if incoming {
            caps["late-block-activate"] = true
        } else {
            caps["auto-converge"] = flags.contains(.autoConverge)
        }
        return caps
    }

    /// A listening UNIX chardev at a fixed path cannot be opened twice.
    static func checkListeningSockets(source: DomainDef, destination: DomainDef) throws(VirError) {
        let fixed = { (d: DomainDef) -> [String] in
            (d.serials + d.consoles).filter { $0.type == .unix && ($0.sourceMode ?? "bind") == "bind" }.compactMap(\.sourcePath)
        }
        if let clash = Set(fixed(source)).intersection(fixed(destination)).first {
            throw VirError(.configUnsupported, "the source instance listens on UNIX socket '\(clash)'; give the destination another path in its XML (or leave the path out to get one per instance)")
        }
    }

    static func cookie(_ d: QemuDriverState, _ obj: DomainObj) -> QemuMigrationCookie {
        var c = QemuMigrationCookie(name: obj.name, uuid: obj.uuid, hostname: d.hostname, hostUUID: d.hostUUID)
        c.capabilities = [(name: "x-ignore-shared", automatic: obj.def.memoryBacking?.isSharedFile == true)]
        return c
    }

    /// Keeps the migration on the instance and in its status file.
    static func record(_ d: QemuDriverState, _ obj: DomainObj, _ m: QemuMigrationState?) {
        obj.qemu.migration = m
        obj.qemu.setStatusExtra(.migration, m?.element)
        d.saveStatus(obj)
    }

    /// `record` for a phase saved before the action it announces: when the
    /// status file cannot be written (a full disk), the step fails before
    /// acting, and the migration stays as it was in memory.
    static func recordChecked(_ d: QemuDriverState, _ obj: DomainObj, _ m: QemuMigrationState) throws(VirError) {
        let before = (obj.qemu.migration, obj.qemu.statusExtra(.migration))
        obj.qemu.migration = m
        obj.qemu.setStatusExtra(.migration, m.element)
        do {
            try d.saveStatusChecked(obj)
        } catch {
            obj.qemu.migration = before.0
            obj.qemu.setStatusExtra(.migration, before.1)
            throw error
        }
    }

    /// Puts the source back as it was before the migration: QEMU not
    /// migrating (and in the normal mode again after a `cpr-transfer`),
    /// the guest running if it ran.
    static func restoreSource(_ d: QemuDriverState, _ obj: DomainObj, _ m: QemuMigrationState) async {
        guard let instance = obj.qemu.instance, !instance.hasExited else { return }
        let name = obj.name
        await d.log.bestEffort("cancel the outgoing migration", domain: name) {
            guard try await instance.monitor().queryMigrate().status.isInProgress else { return }
            try await instance.monitor().migrateCancel()
            for _ in 0..<2000 {
                guard try await instance.monitor().queryMigrate().status.isInProgress else { return }
                await VirTime.pause(.milliseconds(5))
            }
            throw VirError(.operationTimeout, "the migration was still in progress 10 s after migrate_cancel")
        }
        let (wasRunning, mode) = m.state.withLock { ($0.sourceWasRunning, $0.mode) }
        if mode == .cprTransfer { await resetMode(d, obj, instance) }
        if wasRunning && obj.state.state == .paused {
            await d.log.bestEffort("resume the source guest", domain: name) {
                try await QemuDomainProcess.startCPUs(d, obj, reason: .migrationCanceled)
            }
        }
    }

    /// Rolls the migration back on the source: the incoming instance goes,
    /// the source guest runs on, the job ends.
    static func rollbackSource(_ d: QemuDriverState, _ obj: DomainObj, _ m: QemuMigrationState) async {
        if let dst = d.domains.findRemote(byUUID: obj.uuid) {
            await abandonIncoming(d, dst)
        }
        await restoreSource(d, obj, m)
        m.cancelWatchdog()
        if let id = obj.id { d.closeCallbacks.forget(CloseCallbackInstance(uuid: obj.uuid, id: id)) }
        record(d, obj, nil)
        obj.qemu.jobs.endAsync()
    }

    /// Completes the migration on the source after a successful Finish:
    /// promotion, then the source QEMU stops.
    static func completeSource(_ d: QemuDriverState, _ obj: DomainObj, _ m: QemuMigrationState) async throws(VirError) {
        guard let dst = d.domains.findRemote(byUUID: obj.uuid), dst.isActive,
              let dm = dst.qemu.migration, dm.phase == .finished else {
            // Finish did not succeed: the guest still lives on the source.
            await rollbackSource(d, obj, m)
            throw VirError(.operationFailed, "migration of domain '\(obj.name)' was not finished on the destination; the domain runs on in its source instance")
        }
        // Saved before the promotion: a driver that finds this source after
        // a restart knows that the destination is the domain.
        m.state.withLock { $0.phase = .confirm3 }
        record(d, obj, m)
        QemuMigrationCrashPoint.confirmDecided.hit()
        let (persistent, autostart, persistentDef) = obj.withLock { f in (f.persistent, f.autostart, f.newDef ?? f.def) }
        var newPersistent: DomainDef? = persistent ? persistentDef : nil
        if m.flags.contains(.persistDest) {
            newPersistent = dm.state.withLock { $0.persistentDef } ?? persistentDef
        }
        if m.flags.contains(.undefineSource) {
            newPersistent = nil
        }
        do {
            if let def = newPersistent, m.flags.contains(.persistDest) {
                try AtomicFile.write(def.format(.inactive), to: d.config.configFile(name: def.name), mode: 0o600)
            } else if newPersistent == nil && persistent {
                // The guest already runs in the new instance: a stale file
                // must not stop the promotion.
                d.log.bestEffort("remove the source's autostart link", domain: obj.name) {
                    try VirFile.remove(d.config.autostartLink(name: obj.name))
                }
                d.log.bestEffort("remove the source's persistent config", domain: obj.name) {
                    try VirFile.remove(d.config.configFile(name: obj.name))
                }
            }
        } catch { throw error }

        // Patch 6: one step, under the list's lock.
        _ = try d.domains.promoteRemote(obj.uuid)
        var stats = m.stats
        stats.timeElapsed = max(stats.timeElapsed, VirTime.millisNow() - m.started)
        // Finish measured the downtime where the guest resumed.
        if let downtime = dm.stats.downtime { stats.downtime = downtime }
        dst.withLock { f in
            f.persistent = newPersistent != nil
            f.autostart = autostart && newPersistent != nil
            if var p = newPersistent {
                p.id = nil
                f.newDef = p
            } else {
                f.newDef = nil
            }
        }
        let completed = QemuCompletedJob(operation: .migrationOut, stats: stats)
        dst.qemu.completedJob = completed
        dst.qemu.setStatusExtra(.completedJob, completed.element)
        record(d, dst, nil)
        QemuMigrationCrashPoint.confirmPromoted.hit()
        if persistent && newPersistent == nil {
            d.emit(dst, .undefined(LifecycleEvent.undefinedRemoved))
        }

        // The old instance is no longer the domain: stop it. Its RAM file
        // stays (the promoted instance maps it).
        obj.withLock { $0.persistent = false }
        m.cancelWatchdog()
        obj.qemu.migration = nil
        obj.qemu.setStatusExtra(.migration, nil)
        await QemuDomainProcess.stop(d, obj, reason: .migrated, event: .migrated)
        // libvirt: qemuMigrationSrcComplete queues job-completed right
        // after the source's stopped event.
        d.emit(dst, kind: .jobCompleted(completed.stats.parameters(type: .completed, operation: completed.operation)))
        QemuMigrationCrashPoint.confirmSourceStopped.hit()
        obj.qemu.jobs.endAsync()
    }

    /// Kills an incoming instance and drops it from the remote tables.
    static func abandonIncoming(_ d: QemuDriverState, _ dst: DomainObj) async {
        (dst.qemu.migration)?.cancelWatchdog()
        // A cpr-transfer destination nobody talked to yet never ran the
        // guest, and may still block on its cpr channel, deaf to SIGTERM.
        if dst.qemu.migration?.state.withLock({ $0.mode }) == .cprTransfer, let instance = dst.qemu.instance,
           !instance.isMonitorConnected {
            await QemuProcess.killAtOnce(instance)
        }
        dst.qemu.migration = nil
        // The migration stays in its status file until the QEMU is gone
        // (the clean-up drops it with the directory): a status written
        // meanwhile must never describe an incoming QEMU without its
        // migration, which the next driver would take for the domain.
        let started = dst.qemu.instance != nil
        await QemuDomainProcess.stop(d, dst, reason: .failed, event: started ? .failed : nil)
        d.domains.removeRemote(dst)
        dst.qemu.jobs.endAsync()
    }
}
