import Foundation
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_process
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
    @discardableResult
    public static func recover(_ d: QemuDriverState, uuid: DomainUUID, reason: String) async -> String {
        let src = d.domains.findByUUID(uuid)
        let srcM = src.flatMap { $0.qemu.migration as? QemuMigrationState }.flatMap { $0.role == .outgoing ? $0 : nil }
        let dst = d.domains.findRemote(byUUID: uuid)
        let dstM = dst.flatMap { $0.qemu.migration as? QemuMigrationState }
        if srcM?.isBusy == true || dstM?.isBusy == true { return "a phase is running" }
        srcM?.state.withLock { $0.endedByDriver = reason }
        dstM?.state.withLock { $0.endedByDriver = reason }

        if let dst, dst.isActive, dstM?.phase == .finished {
            // The guest already runs on the destination: complete.
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
        _ = try? d.domains.promoteRemote(dst.uuid)
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
            source.qemu.statusExtra = []
            if source.isActive {
                await QemuDomainProcess.stop(d, source, reason: .migrated, event: .migrated)
            }
            source.qemu.jobs.endAsync()
        }
    }

    /// Arms the watchdog of a migration: if its next phase does not come
    /// within the driver's `migrationPhaseTimeout`, the driver ends it.
    static func arm(_ d: QemuDriverState, _ uuid: DomainUUID, _ m: QemuMigrationState) {
        let timeout = d.migrationPhaseTimeout
        let task = Task {
            try? await Task.sleep(for: timeout)
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
