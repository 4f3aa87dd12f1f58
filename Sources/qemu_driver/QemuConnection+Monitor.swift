import domain_conf
import libvirt_abi
import qemu_domain
import qemu_monitor

/// Talking to a domain's QEMU directly, and what that leaves behind.
extension QemuConnection {
    /// Passes a command to the domain's QEMU monitor as the caller wrote
    /// it and returns QEMU's answer: for QMP (JSON text) the whole reply
    /// object as text (`{"return":...,"id":"libvirt-N"}`, or QEMU's
    /// `error`, which is an answer like any other here); with `hmp`, the
    /// command line goes through `human-monitor-command` and the answer is
    /// its output. At most one descriptor may go along with the command.
    ///
    /// The domain must run; the call holds a query job (so it may run
    /// during a migration, as libvirt's does), and marks the instance
    /// tainted (`custom-monitor`): what the command changed is not known
    /// to the driver.
    ///
    /// libvirt: `qemuDomainQemuMonitorCommand` →
    /// `qemuDomainQemuMonitorCommandWithFiles` (src/qemu/qemu_driver.c),
    /// with `VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP` for `hmp`.
    public func qemuMonitorCommand(_ dom: DomainRef, command: String, hmp: Bool = false,
                                   fds: [Int32] = []) async throws(VirError) -> String {
        guard fds.count <= 1 else {
            throw VirError(.invalidArg, "at most 1 fd can be passed to qemu along with a command")
        }
        let obj = try obj(dom)
        return try await withJob(obj, .query, api: "qemuDomainQemuMonitorCommand") { () throws(VirError) -> String in
            guard obj.isActive, let instance = obj.qemu.instance else { throw VirError.notRunning }
            state.taint(obj, .customMonitor)
            do throws(QemuMonitorError) {
                if hmp {
                    return try await instance.monitor().humanMonitorCommand(command, fd: fds.first)
                }
                return try await instance.monitor().arbitraryCommand(command, fd: fds.first)
            } catch {
                throw VirError(error)
            }
        }
    }

    /// What `virDomainGetMessages` reports: one "tainted: ..." line per
    /// mark of the running instance (`tainting`); this driver records no
    /// deprecations (`deprecation`). Neither flag: both.
    ///
    /// libvirt: `qemuDomainGetMessages` → `virDomainObjGetMessages`.
    public func messages(_ dom: DomainRef, tainting: Bool = true, deprecation: Bool = true) throws(VirError) -> [String] {
        let obj = try obj(dom)
        guard tainting else { return [] }
        return obj.qemu.taint.sorted().map { "tainted: \($0.message)" }
    }
}
