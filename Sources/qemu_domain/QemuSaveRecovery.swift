import Glibc
import domain_conf
import libvirt_abi
import qemu_monitor
import virdomainobjlist
import virutil

/// A save the driver died in the middle of, undone by the next driver: the
/// guest was paused for it and its QEMU may still be writing the image.
/// QEMU's transfer is cancelled, a guest that ran before the save runs
/// again (`save canceled`), and the image, which no driver will finish,
/// is removed: the guest runs once, in its QEMU, and no image of it is
/// left to be restored beside it.
///
/// libvirt: `qemuProcessRecoverJob` for `VIR_ASYNC_JOB_SAVE`.
public enum QemuSaveRecovery {
    public static func recover(_ d: QemuDriverState, _ obj: DomainObj) async {
        guard let job = obj.qemu.statusExtra(.saveJob), let instance = obj.qemu.instance else { return }
        let path = job.attribute("path")
        let wasRunning = job.attribute("wasRunning") == "yes"
        d.log.warning("a save of the domain was interrupted (its driver ended): undoing it",
                      metadata: ["domain": "\(obj.name)", "step": "recover save"])
        await d.log.bestEffort("cancel QEMU's transfer to the save image", domain: obj.name) { () async throws(QemuMonitorError) in
            let monitor = try await instance.monitor()
            guard try await monitor.queryMigrate().status.isInProgress else { return }
            try await monitor.migrateCancel()
            // The transfer stops within QEMU's next write.
            for _ in 0..<500 {
                if try await !monitor.queryMigrate().status.isInProgress { break }
                await VirTime.pause(.milliseconds(20))
            }
        }
        if wasRunning, obj.state.state == .paused {
            await d.log.bestEffort("resume the guest after an interrupted save", domain: obj.name) {
                try await QemuDomainProcess.startCPUs(d, obj, reason: .saveCanceled)
            }
        }
        if let path {
            d.log.bestEffort("remove the unfinished save image", domain: obj.name) {
                if unlink(path) != 0 && errno != ENOENT { throw VirError.system(errno, "cannot remove '\(path)'") }
            }
        }
        obj.qemu.setStatusExtra(.saveJob, nil)
        d.saveStatus(obj)
    }
}
