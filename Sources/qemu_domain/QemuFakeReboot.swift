import domain_conf
import libvirt_abi
import qemu_monitor
import qemu_process
import virdomainobjlist
import virutil

/// A reboot by the ACPI power button: the guest is asked to power off,
/// and when it has, its QEMU (set to pause on that rather than end) is
/// reset and resumed, so the guest boots again in the same process.
///
/// libvirt keeps every QEMU with `-no-shutdown` for this; this driver's
/// QEMUs end when their guest powers off (a virsh command on the embedded
/// driver may not be there to watch), so QEMU is told to pause instead
/// (`set-action`) only while a reboot is asked for.
///
/// libvirt: `priv->fakeReboot`, `qemuDomainSetFakeReboot`,
/// `qemuProcessFakeReboot`.
public enum QemuFakeReboot {
    /// Whether the guest's next power-off is a reboot.
    public static func isPending(_ obj: DomainObj) -> Bool { obj.qemu.statusExtra(.fakeReboot) != nil }

    /// Makes the guest's next power-off a reboot: QEMU pauses on it, and
    /// the status file says why.
    ///
    /// libvirt: `qemuDomainSetFakeReboot(vm, true)`.
    public static func arm(_ d: QemuDriverState, _ obj: DomainObj, _ monitor: QemuMonitor) async throws(QemuMonitorError) {
        _ = try await monitor.execute("set-action", ["shutdown": .string("pause")])
        obj.qemu.setStatusExtra(.fakeReboot, XMLElement(QemuStatusExtra.fakeReboot.rawValue))
        d.saveStatus(obj)
    }

    /// The guest's next power-off ends its QEMU again (a shutdown, reset or
    /// agent request replaces a reboot asked for before).
    ///
    /// libvirt: `qemuDomainSetFakeReboot(vm, false)`.
    public static func disarm(_ d: QemuDriverState, _ obj: DomainObj, _ instance: QemuInstance?) async {
        guard isPending(obj) else { return }
        obj.qemu.setStatusExtra(.fakeReboot, nil)
        d.saveStatus(obj)
        guard let instance else { return }
        await d.log.bestEffort("make QEMU end on the guest's power-off again", domain: obj.name) {
            _ = try await instance.monitor().execute("set-action", ["shutdown": .string("poweroff")])
        }
    }

    /// QEMU's `SHUTDOWN` while a reboot is pending: the domain stays
    /// running (no shutdown state, no event), and the reboot is finished
    /// apart, under its own job.
    ///
    /// libvirt: the `fakeReboot` case of `qemuProcessHandleShutdown` and
    /// `qemuProcessShutdownOrReboot`.
    static func guestPoweredOff(_ d: QemuDriverState, _ obj: DomainObj) {
        obj.qemu.state.withLock { $0.pausedShutdown = true }
        Task.detached { await finish(d, obj) }
    }

    /// Resets the paused machine and resumes it; the guest boots again.
    /// If that fails, QEMU is killed, as libvirt kills it.
    ///
    /// libvirt: `qemuProcessFakeReboot`.
    public static func finish(_ d: QemuDriverState, _ obj: DomainObj) async {
        do {
            try await obj.qemu.jobs.begin(.modify, api: "qemuProcessFakeReboot", domainName: obj.name)
        } catch {
            d.log.error("cannot finish the reboot, killing the domain: \(error)", metadata: ["domain": "\(obj.name)", "step": "fake reboot"])
            await QemuDomainProcess.stop(d, obj, reason: .destroyed, event: .destroyed, graceful: false)
            return
        }
        defer { obj.qemu.jobs.end() }
        guard obj.isActive, let instance = obj.qemu.instance else { return }
        do throws(QemuMonitorError) {
            let monitor = try await instance.monitor()
            try await monitor.systemReset()
            _ = try await monitor.execute("set-action", ["shutdown": .string("poweroff")])
            try await monitor.cont()
        } catch {
            d.log.error("the guest powered off for a reboot, and resetting it failed, killing the domain: \(error)",
                        metadata: ["domain": "\(obj.name)", "step": "fake reboot"])
            obj.qemu.state.withLock { $0.pausedShutdown = false }
            await QemuDomainProcess.stop(d, obj, reason: .destroyed, event: .destroyed, graceful: false)
            return
        }
        obj.qemu.state.withLock {
            $0.pausedShutdown = false
            $0.guestShutdown = false
        }
        // The domain never left running, so its reason stays (libvirt's
        // RESUME handler changes nothing for a running domain).
        obj.qemu.setStatusExtra(.fakeReboot, nil)
        d.saveStatus(obj)
    }

    /// Waits, up to `timeout`, for a pending reboot to be done: what a
    /// virsh command on the embedded driver does before it ends, since
    /// once it has ended nothing would see the guest power off.
    ///
    /// - Returns: whether the reboot is done (or none is pending).
    public static func wait(_ obj: DomainObj, timeout: Duration) async -> Bool {
        await VirTime.poll(timeout: timeout, every: .milliseconds(50)) { !isPending(obj) || !obj.isActive }
    }
}
