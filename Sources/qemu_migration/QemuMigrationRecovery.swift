import virutil
import Foundation
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_process
import virclosecallbacks
import virdomainobjlist

/// Ending a migration that its client abandoned: the watchdog between
/// phases, the close callbacks of a connection that went away, and a driver
/// restarting after the one that ran the migration died. In every case the
/// VM ends up running exactly once: on the destination if it already runs
/// there, else on the source.
///
/// libvirt: `qemuMigrationSrcCleanup` (the close callback),
/// `qemuProcessRecoverMigration` (reconnect).
extension QemuMigration {
    /// Finishes or rolls back the migration of domain `uuid`, whatever
    /// phase it reached.
    ///
    /// - Returns: what was done, in words.
    ///
    /// - Parameter waitForPhase: when a phase is running (a client that went
    ///   away in the middle of Perform), abort it and wait for it to end;
    ///   otherwise leave the migration to that phase.
    @discardableResult
    public static func recover(_ d: QemuDriverState, uuid: DomainUUID, reason: String, waitForPhase: Bool = false) async -> String {
        var src = d.domains.findByUUID(uuid)
        var srcM = src.flatMap { $0.qemu.migration }.flatMap { $0.role == .outgoing ? $0 : nil }
        var dst = d.domains.findRemote(byUUID: uuid)
        var dstM = dst.flatMap { $0.qemu.migration }
        if srcM?.isBusy == true || dstM?.isBusy == true {
            guard waitForPhase else { return "a phase is running" }
            if let src, srcM?.isBusy == true, src.qemu.jobs.requestAbort(), let instance = src.qemu.instance {
                await d.log.bestEffort("migrate_cancel", domain: src.name) { try await instance.monitor().migrateCancel() }
            }
            let deadline = ContinuousClock.now + .seconds(120)
            while (srcM?.isBusy == true || dstM?.isBusy == true) && ContinuousClock.now < deadline {
                await VirTime.pause(.milliseconds(10))
            }
            // The phase may have ended the migration, or moved it on.
            src = d.domains.findByUUID(uuid)
            srcM = src.flatMap { $0.qemu.migration }.flatMap { $0.role == .outgoing ? $0 : nil }
            dst = d.domains.findRemote(byUUID: uuid)
            dstM = dst.flatMap { $0.qemu.migration }
            if srcM == nil && dstM == nil && dst == nil { return "the migration had ended" }
        }
        // One step each: a phase that starts after this is refused.
        if srcM?.claim(reason: reason) == false || dstM?.claim(reason: reason) == false {
            return "a phase is running"
        }

        if let dst, dst.isActive, let dstM, dstM.phase == .finish3 || dstM.phase == .finished {
            // The guest runs on the destination, or was about to (Finish
            // saves `finish3` before `cont`, once the destination holds the
            // whole state): complete, never roll back.
            if dstM.phase == .finish3 {
                if !dstM.flags.contains(.paused) && dst.state.state == .paused {
                    await d.log.bestEffort("resume the destination guest", domain: dst.name) {
                        try await QemuDomainProcess.startCPUs(d, dst, reason: .migrated)
                    }
                }
                dstM.state.withLock { $0.phase = .finished }
                record(d, dst, dstM)
                dst.qemu.jobs.endAsync()  // as Finish ends it
            }
            if let src, let srcM {
                do {
                    try await completeSource(d, src, srcM)
                    return "completed: the domain runs in its new instance"
                } catch {
                    return "completion failed: \(error.message)"
                }
            }
            await promoteOrphan(d, dst, source: src)
            return "completed: the domain runs in its new instance"
        }
        if let dst { await abandonIncoming(d, dst) }
        if let src, let srcM {
            await rollbackSource(d, src, srcM)
        }
        return "rolled back: the domain runs in its source instance"
    }

    /// A finished incoming instance whose source has no migration state
    /// any more (found after a restart, or a source QEMU that died after
    /// the switch-over): it becomes the domain.
    static func promoteOrphan(_ d: QemuDriverState, _ dst: DomainObj, source: DomainObj?) async {
        let carried = source?.withLock { ($0.persistent, $0.autostart, $0.newDef ?? $0.def) }
        d.log.bestEffort("promote the incoming instance", domain: dst.name) { _ = try d.domains.promoteRemote(dst.uuid) }
        if let (persistent, autostart, def) = carried {
            dst.withLock { f in
                f.persistent = persistent
                f.autostart = autostart
                f.newDef = persistent ? def : nil
            }
        }
        record(d, dst, nil)
        dst.qemu.jobs.endAsync()
        if let source {
            source.withLock { $0.persistent = false }
            source.qemu.migration = nil
            source.qemu.setStatusExtra(.migration, nil)
            if source.isActive {
                await QemuDomainProcess.stop(d, source, reason: .migrated, event: .migrated)
            }
            source.qemu.jobs.endAsync()
        }
    }

    /// After a restart: puts back the instances whose status files say a
    /// migration was in flight (sources first, then incoming instances in
    /// the remote tables), then finishes or rolls back each migration.
    ///
    /// libvirt: `qemuProcessRecoverMigration` (src/qemu/qemu_process.c).
    public static func recoverAfterRestart(_ d: QemuDriverState, _ found: [(QemuStatusFile, QemuInstance?)]) async -> [String] {
        func role(_ s: QemuStatusFile) -> QemuMigrationState? {
            s.extra.first { $0.name == QemuStatusExtra.migration.rawValue }.flatMap(QemuMigrationState.from)
        }
        var uuids: [DomainUUID] = []
        let ordered = found.sorted { (role($0.0)?.role == .outgoing ? 0 : 1) < (role($1.0)?.role == .outgoing ? 0 : 1) }
        for (status, instance) in ordered {
            guard let m = role(status) else { continue }
            if !uuids.contains(status.def.uuid) { uuids.append(status.def.uuid) }
            guard let instance else {
                QemuDomainProcess.cleanupGone(d, status)
                continue
            }
            let name = status.def.name
            /// Attaches the instance; a failure is logged and reads as `nil`.
            func attach(remote: Bool) async -> DomainObj? {
                // An incoming cpr-transfer QEMU may not have a monitor yet
                // (it opens one once the descriptors came): it is connected
                // when a step needs it, and rolled back without it.
                let connect = !(m.role == .incoming && m.state.withLock { $0.mode } == .cprTransfer)
                do { return try await QemuDomainProcess.attach(d, status, instance, remote: remote, connect: connect) } catch {
                    d.log.warning("cannot put instance \(instance.id) back in the tables: \(error)",
                                  metadata: ["domain": "\(name)", "step": "recover migration"])
                    return nil
                }
            }
            switch m.role {
            case .outgoing:
                if let promoted = d.domains.findByUUID(status.def.uuid), promoted.isActive {
                    // Confirm promoted the destination (found as the domain,
                    // its status file without a migration) and died before
                    // this source QEMU stopped: it is a stale copy.
                    d.log.info("stopping the source instance \(instance.id) of a migration that completed",
                               metadata: ["domain": "\(name)", "step": "recover migration"])
                    await QemuProcess.stop(instance, reason: "migrated")
                    continue
                }
                guard let obj = await attach(remote: false) else {
                    await QemuProcess.stop(instance, reason: "failed")
                    continue
                }
                obj.qemu.migration = m
                await d.log.bestEffort("take the migration job", domain: name) {
                    try await obj.qemu.jobs.beginAsync(.migrationOut, api: "qemuProcessRecoverMigration", domainName: name,
                                                     mask: QemuDomainJobs.migrationOutMask, timeout: .seconds(1))
                }
            case .incoming:
                let sourceRuns = d.domains.findByUUID(status.def.uuid)?.isActive == true
                if sourceRuns, let obj = await attach(remote: true) {
                    obj.qemu.migration = m
                    if m.phase != .finished {
                        await d.log.bestEffort("take the migration job", domain: name) {
                            try await obj.qemu.jobs.beginAsync(.migrationIn, api: "qemuProcessRecoverMigration", domainName: name, timeout: .seconds(1))
                        }
                    }
                } else if !sourceRuns, m.phase == .finished, await attach(remote: false) != nil {
                    // The source died after the switch-over: this instance is the domain.
                    continue
                } else {
                    await QemuProcess.stop(instance, reason: "failed")
                    QemuDomainProcess.cleanupGone(d, status)
                }
            }
        }
        var done: [String] = []
        for uuid in uuids {
            done.append(await recover(d, uuid: uuid, reason: "the driver that ran the migration went away"))
        }
        return done
    }

    /// Arms the watchdog of a migration: if its next phase does not come
    /// within the driver's `migrationPhaseTimeout`, the driver ends it.
    static func arm(_ d: QemuDriverState, _ uuid: DomainUUID, _ m: QemuMigrationState) {
        let timeout = d.migrationPhaseTimeout
        let task = Task {
            await VirTime.pause(timeout)
            if Task.isCancelled { return }
            // Recovery cancels the watchdogs, this one included: it must not
            // run inside it, or its own QMP commands would be cancelled.
            Task.detached {
                await recover(d, uuid: uuid, reason: "no next migration phase within \(timeout)")
            }
        }
        m.state.withLock { s in
            s.watchdog?.cancel()
            s.watchdog = task
        }
    }
}
