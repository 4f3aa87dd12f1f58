import Foundation
import libvirt_abi
import qemu_domain
import qemu_monitor
import virdomainobjlist
import virutil

extension QemuMigration {
    /// The job of a domain as `virDomainGetJobStats` reports it: the
    /// migration in progress (live figures from QEMU), or with `completed`
    /// the statistics of the last completed one.
    ///
    /// libvirt: `qemuDomainGetJobStats` / `qemuDomainGetJobInfoMigrationStats`.
    public static func jobStats(_ obj: DomainObj, completed: Bool) async -> (DomainJobType, [TypedParameter]) {
        if completed {
            guard let job = QemuCompletedJob.of(obj) else { return (.none, []) }
            return (.completed, job.stats.parameters(type: .completed, operation: job.operation))
        }
        guard let async = obj.qemu.jobs.asyncJob else { return (.none, []) }
        let m = obj.qemu.migration
        var stats = m?.stats ?? QemuMigrationStatistics()
        // A save is QEMU's migration to the image file: the same counters.
        if async == .migrationOut || async == .save, let instance = obj.qemu.instance,
           let s = try? await instance.monitor().queryMigrate() {
            stats.update(from: s)
        }
        let started = m?.started ?? obj.qemu.jobs.asyncStarted
        stats.timeElapsed = VirTime.millisNow() - min(started, VirTime.millisNow())
        return (.unbounded, stats.parameters(type: .unbounded, operation: async.operation))
    }

    /// Aborts the migration or save in progress: QEMU cancels the transfer,
    /// the guest runs on (Perform rolls back; the save resumes it).
    ///
    /// libvirt: `qemuDomainAbortJobFlags`.
    public static func abort(_ obj: DomainObj) async throws(VirError) {
        switch obj.qemu.jobs.asyncJob {
        case nil:
            throw VirError(.operationInvalid, "no job is active on the domain")
        case .migrationIn?:
            throw VirError(.operationInvalid, "cannot abort incoming migration; use virDomainDestroy instead")
        case .migrationOut?, .save?:
            _ = obj.qemu.jobs.requestAbort()
            if let instance = obj.qemu.instance {
                do { try await instance.monitor().migrateCancel() } catch { throw VirError(error) }
            }
        }
    }
}
