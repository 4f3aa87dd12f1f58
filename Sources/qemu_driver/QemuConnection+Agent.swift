import Foundation
import domain_conf
import libvirt_abi
import qemu_agent
import qemu_domain
import qemu_monitor
import qemu_process
import virdomainobjlist
import virutil

/// What the guest agent answers: the guest's clock, its filesystems, what
/// it says about itself.
extension QemuConnection {
    /// The name of the agent's virtio channel.
    static let agentChannelName = "org.qemu.guest_agent.0"

    /// Runs `body` with the domain's agent under the agent job, once the
    /// agent is known to be there.
    ///
    /// libvirt: `virDomainObjBeginAgentJob`, `qemuDomainAgentAvailable`,
    /// `qemuDomainObjEnterAgent`.
    func withAgent<R>(_ obj: DomainObj, api: String,
                      _ body: (QemuAgent) async throws(VirError) -> R) async throws(VirError) -> R {
        try await obj.qemu.jobs.beginAgent(api: api, domainName: obj.name)
        defer { obj.qemu.jobs.endAgent() }
        guard obj.isActive, let instance = obj.qemu.instance else { throw VirError.notRunning }
        return try await body(try await agent(obj, instance))
    }

    /// The domain's agent, or libvirt's reason why there is none: the
    /// guest does not run, no agent channel is configured, or the guest
    /// has not opened its end (no agent runs in it). The guest's end is
    /// asked of QEMU (`query-chardev`'s `frontend-open`), as libvirt reads
    /// it when it reconnects; libvirt follows it with `VSERPORT_CHANGE`.
    ///
    /// libvirt: `qemuDomainAgentAvailable`, `qemuFindAgentConfig`,
    /// `qemuProcessRefreshChannelVirtioState`.
    func agent(_ obj: DomainObj, _ instance: QemuInstance) async throws(VirError) -> QemuAgent {
        guard obj.state.state == .running else { throw VirError(.operationInvalid, "domain is not running") }
        let def = obj.def
        guard let index = def.channels.firstIndex(where: { $0.targetType == "virtio" && $0.targetName == Self.agentChannelName }) else {
            throw VirError(.argumentUnsupported, "QEMU guest agent is not configured")
        }
        let channel = def.channels[index]
        let notConnected = VirError(.agentUnresponsive, "QEMU guest agent is not connected")
        guard channel.type == .unix, channel.sourceMode == "bind", let path = channel.sourcePath else { throw notConnected }
        let chardevs: JSONValue
        do throws(QemuMonitorError) { chardevs = try await instance.monitor().execute("query-chardev") } catch {
            throw VirError(error)
        }
        let open = chardevs.arrayValue?.first { $0["label"]?.stringValue == "charchannel\(index)" }?["frontend-open"]?.boolValue
        guard open == true else { throw notConnected }
        return QemuAgent(path: path)
    }

    /// The guest's clock: seconds and nanoseconds since the epoch.
    ///
    /// libvirt: `qemuDomainGetTime` → `qemuAgentGetTime` (`guest-get-time`).
    public func guestTime(_ dom: DomainRef, flags: UInt32 = 0) async throws(VirError) -> (seconds: Int64, nseconds: UInt32) {
        try Self.checkFlags(flags, allowed: 0, "qemuDomainGetTime")
        let obj = try obj(dom)
        return try await withAgent(obj, api: "qemuDomainGetTime") { agent throws(VirError) -> (seconds: Int64, nseconds: UInt32) in
            guard let ns = try await agent.execute("guest-get-time").uint64Value else {
                throw VirError(.internalError, "malformed return value")
            }
            return (Int64(ns / 1_000_000_000), UInt32(ns % 1_000_000_000))
        }
    }

    /// Sets the guest's clock to `seconds`.`nseconds`, or with `sync`
    /// (`VIR_DOMAIN_TIME_SYNC`) from its RTC; then, on x86, resets the
    /// RTC's interrupt reinjection as libvirt does.
    ///
    /// libvirt: `qemuDomainSetTime` → `qemuAgentSetTime` (`guest-set-time`),
    /// `qemuMonitorRTCResetReinjection` (`rtc-reset-reinjection`).
    public func setGuestTime(_ dom: DomainRef, seconds: Int64, nseconds: UInt32, flags: UInt32) async throws(VirError) {
        let sync: UInt32 = 1 << 0
        try Self.checkFlags(flags, allowed: sync, "qemuDomainSetTime")
        let obj = try obj(dom)
        try await withAgent(obj, api: "qemuDomainSetTime") { agent throws(VirError) in
            if flags & sync != 0 {
                _ = try await agent.execute("guest-set-time")
            } else {
                // The agent takes a signed count of nanoseconds.
                guard seconds <= Int64.max / 1_000_000_000 else {
                    throw VirError(.invalidArg, "Time '\(seconds)' is too big for guest agent")
                }
                _ = try await agent.execute("guest-set-time", ["time": .int(seconds * 1_000_000_000 + Int64(nseconds))])
            }
        }
        // An x86 guest (the host's architecture when the XML names none).
        guard ["x86_64", "i686"].contains(obj.def.os.arch ?? "x86_64") else { return }
        try await withJob(obj, .modify, api: "qemuDomainSetTime") { () throws(VirError) in
            guard obj.isActive, let instance = obj.qemu.instance else { throw VirError.notRunning }
            do throws(QemuMonitorError) { _ = try await instance.monitor().execute("rtc-reset-reinjection") } catch {
                throw VirError(error)
            }
        }
    }
}
