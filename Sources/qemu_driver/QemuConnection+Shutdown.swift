import domain_conf
import libvirt_abi
import qemu_agent
import qemu_domain
import qemu_monitor
import virdomainobjlist

/// The flags of `virDomainShutdownFlags` and `virDomainReboot`
/// (`virDomainShutdownFlagValues`, `virDomainRebootFlagValues`: the same bits).
public struct DomainShutdownFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let acpiPowerButton = DomainShutdownFlags(rawValue: 1 << 0)
    public static let guestAgent = DomainShutdownFlags(rawValue: 1 << 1)
    public static let initctl = DomainShutdownFlags(rawValue: 1 << 2)
    public static let signal = DomainShutdownFlags(rawValue: 1 << 3)
    public static let paravirt = DomainShutdownFlags(rawValue: 1 << 4)
}

/// Asking the guest to power off or to reboot: through its agent, or
/// with the ACPI power button.
extension QemuConnection {
    /// Asks the guest to power off: through its agent when asked, or when
    /// no way is named and an agent is there; else (or when the agent
    /// fails and ACPI is allowed) with the ACPI power button.
    ///
    /// libvirt: `qemuDomainShutdownFlags`, `qemuDomainShutdownFlagsAgent`,
    /// `qemuDomainShutdownFlagsMonitor`.
    public func shutdown(_ dom: DomainRef, flags: UInt32 = 0) async throws(VirError) {
        try Self.checkFlags(flags, allowed: DomainShutdownFlags([.acpiPowerButton, .guestAgent]).rawValue, "qemuDomainShutdownFlags")
        let obj = try obj(dom)
        if try await viaAgent(obj, flags: flags, reboot: false, api: "qemuDomainShutdownFlags") { return }
        try await withJob(obj, .modify, api: "qemuDomainShutdownFlags") { () throws(VirError) in
            guard obj.isActive, let instance = obj.qemu.instance, obj.state.state == .running else {
                throw VirError(.operationInvalid, "domain is not running")
            }
            do throws(QemuMonitorError) {
                await QemuFakeReboot.disarm(state, obj, instance)
                try await instance.monitor().systemPowerdown()
            } catch {
                throw VirError(error)
            }
        }
    }

    /// Asks the guest to reboot: through its agent (`guest-shutdown` with
    /// `mode: reboot`), chosen as `shutdown` chooses it, or with the ACPI
    /// power button, after which the guest's power-off is turned into a
    /// reboot of the same QEMU (`QemuFakeReboot`).
    ///
    /// libvirt: `qemuDomainReboot`, `qemuDomainRebootAgent`,
    /// `qemuDomainRebootMonitor`.
    public func reboot(_ dom: DomainRef, flags: UInt32 = 0) async throws(VirError) {
        try Self.checkFlags(flags, allowed: DomainShutdownFlags([.acpiPowerButton, .guestAgent]).rawValue, "qemuDomainReboot")
        let obj = try obj(dom)
        if try await viaAgent(obj, flags: flags, reboot: true, api: "qemuDomainReboot") { return }
        try await withJob(obj, .modify, api: "qemuDomainReboot") { () throws(VirError) in
            guard obj.isActive, let instance = obj.qemu.instance else { throw VirError.notRunning }
            do throws(QemuMonitorError) {
                let monitor = try await instance.monitor()
                try await QemuFakeReboot.arm(state, obj, monitor)
                do throws(QemuMonitorError) { try await monitor.systemPowerdown() } catch {
                    await QemuFakeReboot.disarm(state, obj, instance)
                    throw error
                }
            } catch {
                throw VirError(error)
            }
        }
    }

    /// Waits, up to `timeout`, for a reboot by ACPI to be done: the guest
    /// powered off, its QEMU reset and resumed. For a caller that ends
    /// (a virsh command on the embedded driver), after which nothing would
    /// see the guest power off until the next driver connects to it.
    ///
    /// - Returns: whether it is done.
    public func waitForReboot(_ dom: DomainRef, timeout: Duration) async throws(VirError) -> Bool {
        await QemuFakeReboot.wait(try obj(dom), timeout: timeout)
    }

    /// The agent's part of `shutdown` and `reboot`, as libvirt chooses it:
    /// asked when `flags` name it, or name nothing and an agent is there;
    /// when it alone is named its failure is the answer, else the caller
    /// goes on with ACPI.
    ///
    /// - Returns: whether the agent did it.
    func viaAgent(_ obj: DomainObj, flags: UInt32, reboot: Bool, api: String) async throws(VirError) -> Bool {
        let f = DomainShutdownFlags(rawValue: flags)
        let forced = f.contains(.guestAgent) && !f.contains(.acpiPowerButton)
        guard f.contains(.guestAgent) || flags == 0 else { return false }
        guard forced || obj.isActive else { return false }
        do { return try await guestShutdown(obj, reboot: reboot, api: api, reportError: forced) } catch {
            if forced { throw error }
            state.log.info("\(reboot ? "reboot" : "shutdown") through the guest agent failed: \(error)",
                           metadata: ["domain": "\(obj.name)", "step": reboot ? "reboot" : "shutdown"])
            return false
        }
    }

    /// `guest-shutdown` under the agent job, waiting (up to a minute, as
    /// libvirt) for QEMU's `RESET` (reboot) or `SHUTDOWN` event.
    ///
    /// - Returns: whether it was sent; `false` when no agent is there and
    ///   `reportError` is false.
    func guestShutdown(_ obj: DomainObj, reboot: Bool, api: String, reportError: Bool) async throws(VirError) -> Bool {
        try await obj.qemu.jobs.beginAgent(api: api, domainName: obj.name)
        defer { obj.qemu.jobs.endAgent() }
        guard obj.isActive, let instance = obj.qemu.instance else { throw VirError.notRunning }
        let agent: QemuAgent
        do { agent = try await self.agent(obj, instance) } catch {
            if reportError { throw error }
            return false
        }
        await QemuFakeReboot.disarm(state, obj, instance)
        let before = obj.qemu.guestEvents
        try await agent.executeAwaiting("guest-shutdown", ["mode": .string(reboot ? "reboot" : "powerdown")]) {
            let now = obj.qemu.guestEvents
            return !obj.isActive || (reboot ? now.resets > before.resets : now.shutdowns > before.shutdowns)
        }
        // A guest that powered off ends its QEMU: this driver (which may
        // be a virsh command about to end) records it shut off.
        if !reboot, !(await instance.waitForExitHandled(timeout: .seconds(10))) {
            state.log.info("QEMU did not end within 10 s of its guest's power-off", metadata: ["domain": "\(obj.name)", "step": "shutdown"])
        }
        return true
    }
}
