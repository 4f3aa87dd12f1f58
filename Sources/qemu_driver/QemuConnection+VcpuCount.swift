import domain_conf
import libvirt_abi
import qemu_agent
import qemu_domain
import qemu_monitor
import qemu_process
import virdomainobjlist
import virutil

/// What `virDomainSetVcpusFlags` and `virDomainGetVcpusFlags` act on.
///
/// libvirt: `virDomainVcpuFlags`.
public struct DomainVcpuFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `VIR_DOMAIN_VCPU_LIVE`.
    public static let live = DomainVcpuFlags(rawValue: 1)
    /// `VIR_DOMAIN_VCPU_CONFIG`.
    public static let config = DomainVcpuFlags(rawValue: 2)
    /// The maximum, not the count online (`VIR_DOMAIN_VCPU_MAXIMUM`).
    public static let maximum = DomainVcpuFlags(rawValue: 4)
    /// The vCPUs the guest's OS uses, through its agent (`VIR_DOMAIN_VCPU_GUEST`).
    public static let guest = DomainVcpuFlags(rawValue: 8)
    /// vCPUs added to the definition can be unplugged (`VIR_DOMAIN_VCPU_HOTPLUGGABLE`).
    public static let hotpluggable = DomainVcpuFlags(rawValue: 16)
}

/// How many vCPUs a domain has, and changing it: in the definition, by
/// hot-plugging into the running QEMU, or inside the guest by its agent.
extension QemuConnection {
    /// libvirt: `qemuDomainSetVcpusFlags` (`qemuDomainSetVcpusAgent`,
    /// `qemuDomainSetVcpusMax`, `qemuDomainSetVcpusInternal`).
    public func setVcpus(_ dom: DomainRef, count: UInt32, flags: DomainVcpuFlags) async throws(VirError) {
        try Self.checkFlags(flags.rawValue, allowed: DomainVcpuFlags([.live, .config, .maximum, .guest, .hotpluggable]).rawValue,
                            "qemuDomainSetVcpusFlags")
        let obj = try obj(dom)
        if flags.contains(.guest) {
            try await withAgent(obj, api: "qemuDomainSetVcpusFlags") { agent throws(VirError) in
                _ = try modificationImpact(obj, live: flags.contains(.live), config: flags.contains(.config))
                try await setGuestVcpus(obj, agent, count: count)
            }
            return
        }
        try await withJob(obj, .modify, api: "qemuDomainSetVcpusFlags") { () throws(VirError) in
            let (live, config) = try modificationImpact(obj, live: flags.contains(.live), config: flags.contains(.config))
            if flags.contains(.maximum) {
                if live {
                    throw VirError(.operationUnsupported, "maximum vcpu count of a live domain can't be modified")
                }
                var def = obj.persistentDef
                if let t = try def.cpuTopology(), t.vcpus != UInt64(count) {
                    throw VirError(.invalidArg, "CPU topology doesn't match the desired vcpu count")
                }
                def.clearVcpuOrder()
                def.setMaxVcpus(count)
                try saveConfig(obj, def)
                return
            }
            if live && count > obj.def.vcpus {
                throw VirError(.invalidArg,
                               "requested vcpus is greater than max allowable vcpus for the live domain: \(count) > \(obj.def.vcpus)")
            }
            if config && count > obj.persistentDef.vcpus {
                throw VirError(.invalidArg,
                               "requested vcpus is greater than max allowable vcpus for the persistent domain: \(count) > \(obj.persistentDef.vcpus)")
            }
            if live { try await setVcpusLive(obj, count: count) }
            if config {
                var def = obj.persistentDef
                Self.setVcpusConfig(&def, count: count, hotpluggable: flags.contains(.hotpluggable))
                try saveConfig(obj, def)
            }
        }
    }

    /// The vCPU count of the definition `flags` names (the maximum, or
    /// those online), or with `guest` what the guest's agent reports.
    ///
    /// libvirt: `qemuDomainGetVcpusFlags`.
    public func vcpuCount(_ dom: DomainRef, flags: DomainVcpuFlags) async throws(VirError) -> Int32 {
        try Self.checkFlags(flags.rawValue, allowed: DomainVcpuFlags([.live, .config, .maximum, .guest]).rawValue,
                            "qemuDomainGetVcpusFlags")
        let obj = try obj(dom)
        let def = try oneDef(obj, DomainDeviceModifyFlags(rawValue: flags.rawValue & 3))
        guard flags.contains(.guest) else {
            return Int32(flags.contains(.maximum) ? def.vcpus : def.currentVcpus)
        }
        guard obj.isActive else {
            throw VirError(.invalidArg, "vCPU count provided by the guest agent can only be requested for live domains")
        }
        let cpus = try await withAgent(obj, api: "qemuDomainGetVcpusFlags") { agent throws(VirError) in
            try await Self.guestVcpus(agent)
        }
        return Int32(flags.contains(.maximum) ? cpus.count : cpus.filter(\.online).count)
    }

    /// Plugs vCPUs into the running QEMU, or unplugs them, until `count`
    /// are online: the first offline ones are plugged, the last ones that
    /// were plugged are unplugged. An unplug waits a while for the guest
    /// to let the vCPU go.
    ///
    /// libvirt: `qemuDomainSelectHotplugVcpuEntities`,
    /// `qemuDomainSetVcpusLive`, `qemuDomainHotplugAddVcpu`,
    /// `qemuDomainHotplugDelVcpu`.
    func setVcpusLive(_ obj: DomainObj, count: UInt32) async throws(VirError) {
        guard let instance = obj.qemu.instance else { throw VirError.notRunning }
        let def = obj.def
        var current = def.currentVcpus
        var chosen: [Int] = []
        let enable = count > current
        if enable {
            for (i, vcpu) in def.vcpuList.enumerated() where current < count && !vcpu.online {
                current += 1
                chosen.append(i)
            }
        } else {
            // Only what was plugged (it has an alias) can be unplugged.
            for (i, vcpu) in def.vcpuList.enumerated().reversed() where current > count && vcpu.online && vcpu.hotpluggable == true {
                current -= 1
                chosen.append(i)
            }
        }
        guard current == count else {
            throw VirError(.configUnsupported, "failed to find appropriate hotpluggable vcpus to reach the desired target vcpu count")
        }
        // QEMU 7.2 and 10.0 under TCG crash ("double free or corruption")
        // once a vCPU was unplugged, on the next vCPU plug or migration:
        // refused, where libvirt would let the guest die.
        if !chosen.isEmpty && def.virtType == "qemu" && !enable {
            throw VirError(.operationUnsupported,
                           "cannot unplug vCPUs from domain '\(obj.name)' under TCG: its QEMU would crash on the next vCPU plug or migration")
        }
        if !chosen.isEmpty && def.virtType == "qemu" && obj.qemu.statusExtra(.vcpuUnplugged) != nil {
            throw VirError(.operationUnsupported,
                           "cannot plug vCPUs into domain '\(obj.name)': a vCPU was unplugged from its QEMU, which crashes under TCG when one is plugged again; restart the domain first")
        }
        let monitor: QemuMonitor
        do throws(QemuMonitorError) { monitor = try await instance.monitor() } catch { throw VirError(error) }
        if enable {
            try await QemuVcpuHotplug.plug(chosen, of: def, monitor: monitor) { id in
                obj.withLock { QemuVcpuHotplug.notePlugged(id, in: &$0.def) }
                state.saveStatus(obj)
            }
            return
        }
        for id in chosen {
            do throws(QemuMonitorError) {
                _ = try await monitor.execute("device_del", ["id": .string(QemuVcpuHotplug.alias(id))])
            } catch {
                throw VirError(error)
            }
            // QEMU's DEVICE_DELETED takes it offline (QemuHotplug.deviceDeleted).
            let gone = await VirTime.poll(timeout: QemuHotplug.unplugTimeout, every: .milliseconds(20)) {
                !obj.def.vcpuList[id].online
            }
            guard gone else {
                throw VirError(.operationTimeout,
                               "vcpu unplug request timed out. Unplug result must be manually inspected in the domain")
            }
        }
    }

    /// The persistent definition with `count` vCPUs online: offline ones
    /// brought online (hot-pluggable with `hotpluggable`, or when a
    /// hot-pluggable one is already online before them), the last online
    /// ones taken offline.
    ///
    /// libvirt: `qemuDomainSetVcpusConfig`.
    static func setVcpusConfig(_ def: inout DomainDef, count: UInt32, hotpluggable: Bool) {
        def.clearVcpuOrder()
        var current = def.currentVcpus
        var hotpluggable = hotpluggable
        if current < count {
            for i in def.vcpuList.indices where current < count {
                if def.vcpuList[i].online {
                    // Vcpus that cannot be unplugged come first.
                    if def.vcpuList[i].hotpluggable == true { hotpluggable = true }
                    continue
                }
                def.vcpuList[i].online = true
                def.vcpuList[i].hotpluggable = hotpluggable
                if hotpluggable { def.individualVcpus = true }
                current += 1
            }
        } else {
            for i in def.vcpuList.indices.reversed() where current > count && def.vcpuList[i].online {
                def.vcpuList[i].online = false
                def.vcpuList[i].hotpluggable = true
                current -= 1
            }
        }
    }

    /// One vCPU as the guest agent sees it.
    ///
    /// libvirt: `qemuAgentCPUInfo`.
    struct GuestVcpu {
        var id: UInt32
        var online: Bool
        var offlinable: Bool
        var modified = false
    }

    /// libvirt: `qemuAgentGetVCPUs` (`guest-get-vcpus`).
    static func guestVcpus(_ agent: QemuAgent) async throws(VirError) -> [GuestVcpu] {
        guard let entries = try await agent.execute("guest-get-vcpus").arrayValue else {
            throw VirError(.internalError, "guest-get-vcpus reply was missing return data")
        }
        return try entries.map { e throws(VirError) -> GuestVcpu in
            guard let id = e["logical-id"]?.int64Value, let n = UInt32(exactly: id) else {
                throw VirError(.internalError, "'logical-id' missing in reply of guest-get-vcpus")
            }
            guard let online = e["online"]?.boolValue else {
                throw VirError(.internalError, "'online' missing in reply of guest-get-vcpus")
            }
            guard let offlinable = e["can-offline"]?.boolValue else {
                throw VirError(.internalError, "'can-offline' missing in reply of guest-get-vcpus")
            }
            return GuestVcpu(id: n, online: online, offlinable: offlinable)
        }
    }

    /// Brings vCPUs online or offline inside the guest until `count` are.
    ///
    /// libvirt: `qemuDomainSetVcpusAgent`, `qemuAgentUpdateCPUInfo`,
    /// `qemuAgentSetVCPUs` (`guest-set-vcpus`, again for the rest when the
    /// guest did only part).
    func setGuestVcpus(_ obj: DomainObj, _ agent: QemuAgent, count: UInt32) async throws(VirError) {
        let enabled = obj.def.currentVcpus
        guard count <= enabled else {
            throw VirError(.invalidArg, "requested vcpu count is greater than the count of enabled vcpus in the domain: \(count) > \(enabled)")
        }
        var cpus = try await Self.guestVcpus(agent)
        try Self.updateGuestVcpus(&cpus, count: count)
        while true {
            let modified = cpus.filter(\.modified)
            if modified.isEmpty { return }
            let list = JSONValue.array(modified.map { .object(["logical-id": .int(Int64($0.id)), "online": .bool($0.online)]) })
            guard let done = try await agent.execute("guest-set-vcpus", ["vcpus": list]).int64Value, done > 0, done <= modified.count else {
                throw VirError(.internalError, "guest agent returned malformed or invalid return value")
            }
            if done == modified.count { return }
            var left = done
            for i in cpus.indices where left > 0 && cpus[i].modified {
                cpus[i].modified = false
                left -= 1
            }
        }
    }

    /// Marks the vCPUs to change so that `count` are online, vCPU 0 kept
    /// when every online one could go.
    ///
    /// libvirt: `qemuAgentUpdateCPUInfo`.
    static func updateGuestVcpus(_ cpus: inout [GuestVcpu], count: UInt32) throws(VirError) {
        var online = 0, offlinable = 0
        for c in cpus {
            if c.online { online += 1 }
            if c.online && c.offlinable { offlinable += 1 }
            if !c.online && !c.offlinable { throw VirError(.internalError, "Invalid data provided by guest agent") }
        }
        if offlinable == online, let zero = cpus.firstIndex(where: { $0.id == 0 }), cpus[zero].online {
            cpus[zero].offlinable = false
            offlinable -= 1
        }
        let wanted = Int(count)
        guard wanted <= cpus.count else { throw VirError(.internalError, "guest agent reports less cpu than requested") }
        guard wanted >= online - offlinable else { throw VirError(.invalidArg, "Cannot offline enough CPUs") }
        for i in cpus.indices {
            if wanted < online {
                if cpus[i].offlinable && cpus[i].online {
                    cpus[i].online = false
                    cpus[i].modified = true
                    online -= 1
                }
            } else if wanted > online {
                if !cpus[i].online {
                    cpus[i].online = true
                    cpus[i].modified = true
                    online += 1
                }
            } else {
                break
            }
        }
    }
}
