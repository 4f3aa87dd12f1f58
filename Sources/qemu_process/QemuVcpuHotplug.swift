import domain_conf
import libvirt_abi
import qemu_monitor

/// Plugging vCPUs into a running QEMU: `device_add` of the CPU entities
/// `query-hotpluggable-cpus` lists, one per vCPU id, as libvirt's "new"
/// vCPU hot-plug does (QEMU 2.7 and later).
public enum QemuVcpuHotplug {
    /// A CPU entity QEMU can plug or has plugged.
    ///
    /// libvirt: `qemuMonitorQueryHotpluggableCpusEntry`.
    public struct Entity: Sendable, Equatable {
        /// The CPU device type (`qemu64-x86_64-cpu`).
        public let type: String
        /// Where it sits (`socket-id`, `core-id`, `thread-id`...).
        public let props: [String: JSONValue]
        /// The vCPUs it holds (one on x86).
        public let vcpus: Int
        /// Its QOM path while it exists.
        public let qomPath: String?
    }

    /// The entities, in libvirt's order (socket, die, core, thread), so
    /// that the `N`th is vCPU `N`.
    ///
    /// libvirt: `qemuMonitorJSONGetHotpluggableCPUs`.
    public static func entities(_ monitor: QemuMonitor) async throws(QemuMonitorError) -> [Entity] {
        let reply = try await monitor.execute("query-hotpluggable-cpus")
        func id(_ e: JSONValue, _ name: String) -> Int64 { e["props"]?[name]?.int64Value ?? -1 }
        let sorted = (reply.arrayValue ?? []).sorted { a, b in
            for name in ["socket-id", "die-id", "core-id", "thread-id"] where id(a, name) != id(b, name) {
                return id(a, name) < id(b, name)
            }
            return false
        }
        return sorted.compactMap { e in
            guard let type = e["type"]?.stringValue, let props = e["props"]?.objectValue else { return nil }
            return Entity(type: type, props: props, vcpus: e["vcpus-count"]?.intValue ?? 1, qomPath: e["qom-path"]?.stringValue)
        }
    }

    /// The QEMU alias of vCPU `id`'s device.
    public static func alias(_ id: Int) -> String { "vcpu\(id)" }

    /// `device_add` of vCPUs `ids`, in that order, from one
    /// `query-hotpluggable-cpus`; `plugged` is told of each as QEMU takes
    /// it, so that a failure part way leaves the caller knowing which are in.
    ///
    /// libvirt: `qemuBuildHotpluggableCPUProps` and `qemuMonitorAddDeviceProps`.
    public static func plug(_ ids: [Int], of def: DomainDef, monitor: QemuMonitor,
                            plugged: (Int) -> Void = { _ in }) async throws(VirError) {
        guard !ids.isEmpty else { return }
        let all: [Entity]
        do throws(QemuMonitorError) { all = try await entities(monitor) } catch { throw VirError(error) }
        let listed = all.reduce(0) { $0 + $1.vcpus }
        guard listed == def.vcpuList.count else {
            throw VirError(.internalError, "QEMU lists \(listed) hot-pluggable vCPUs for a maximum of \(def.vcpuList.count)")
        }
        // A vCPU of its own per entity (x86): entities of several vCPUs
        // (ppc64's cores) are not handled here.
        guard all.allSatisfy({ $0.vcpus == 1 }) else {
            throw VirError(.configUnsupported, "target vm vcpu granularity does not allow the desired vcpu count")
        }
        for id in ids {
            var args = all[id].props
            args["driver"] = .string(all[id].type)
            args["id"] = .string(alias(id))
            do throws(QemuMonitorError) {
                _ = try await monitor.execute("device_add", args)
            } catch {
                throw VirError(error)
            }
            plugged(id)
        }
    }

    /// What a start checks of the vCPUs to plug: the QEMU driver's rules
    /// on the filled-in definition, then orders that are unique and
    /// within the vCPU count.
    ///
    /// libvirt: `qemuDomainDefVcpusPostParse` (on the definition a start
    /// parses again) and `qemuProcessValidateHotpluggableVcpus`.
    public static func validate(_ def: DomainDef) throws(VirError) {
        try DomainDef.checkVcpus(def.vcpuList)
        var seen = Set<UInt32>()
        for vcpu in def.vcpuList where vcpu.order != 0 {
            guard seen.insert(vcpu.order).inserted else {
                throw VirError(.configUnsupported, "duplicate vcpu order '\(vcpu.order)'")
            }
            guard vcpu.order <= def.vcpus else {
                throw VirError(.configUnsupported, "vcpu order '\(vcpu.order)' exceeds vcpu count")
            }
        }
    }

    /// Plugs a starting instance's online hot-pluggable vCPUs, before the
    /// guest runs (or its migration stream comes in), in their order, and
    /// records the order QEMU now has them in.
    ///
    /// libvirt: `qemuProcessSetupHotpluggableVcpus` and
    /// `qemuDomainVcpuPersistOrder`.
    public static func plugAtStart(_ def: inout DomainDef, monitor: QemuMonitor) async throws(VirError) {
        let plugged = def.vcpuList.indices
            .filter { def.vcpuList[$0].online && def.vcpuList[$0].hotpluggable == true }
            .sorted { (def.vcpuList[$0].order, $0) < (def.vcpuList[$1].order, $1) }
        try await plug(plugged, of: def, monitor: monitor)
        guard def.individualVcpus else { return }
        setOrder(&def, plugged: plugged)
    }

    /// Orders from 1: the vCPUs QEMU started with, by id, then `plugged`
    /// in the order they were plugged; offline vCPUs have none.
    static func setOrder(_ def: inout DomainDef, plugged: [Int]) {
        var next: UInt32 = 1
        for i in def.vcpuList.indices {
            def.vcpuList[i].order = 0
            if def.vcpuList[i].online && def.vcpuList[i].hotpluggable != true {
                def.vcpuList[i].order = next
                next += 1
            }
        }
        for id in plugged {
            def.vcpuList[id].order = next
            next += 1
        }
    }

    /// The live definition once vCPU `id` was plugged: online,
    /// hot-pluggable, enabled last; `<vcpus>` written from now on.
    ///
    /// libvirt: `qemuDomainHotplugAddVcpu` (`individualvcpus`, then
    /// `qemuDomainVcpuPersistOrder` from QEMU's list).
    public static func notePlugged(_ id: Int, in def: inout DomainDef) {
        if def.vcpuList.allSatisfy({ !$0.online || $0.order == 0 }) {
            // No order known yet (a definition without <vcpus>): QEMU has
            // the online vCPUs in id order.
            setOrder(&def, plugged: [])
        }
        let last = def.vcpuList.map(\.order).max() ?? 0
        def.vcpuList[id].online = true
        def.vcpuList[id].hotpluggable = true
        def.vcpuList[id].order = last + 1
        def.individualVcpus = true
    }

    /// The live definition brought in line with the vCPUs QEMU has (one
    /// entity each): those it lost offline, those it gained online and
    /// hot-pluggable; nothing when QEMU's list does not match the count.
    ///
    /// libvirt: `qemuDomainRefreshVcpuInfo` (with `state`).
    public static func adopt(_ entities: [Entity], into def: inout DomainDef) {
        guard entities.count == def.vcpuList.count, entities.allSatisfy({ $0.vcpus == 1 }) else { return }
        for (id, e) in entities.enumerated() {
            let online = e.qomPath != nil
            if def.vcpuList[id].online && !online {
                noteUnplugged(id, in: &def)
            } else if !def.vcpuList[id].online && online {
                notePlugged(id, in: &def)
            }
        }
    }

    /// The live definition once vCPU `id` was unplugged: offline, and the
    /// vCPUs enabled after it one place earlier, as QEMU lists them.
    ///
    /// libvirt: `qemuDomainRemoveVcpu` and `qemuDomainVcpuPersistOrder`.
    public static func noteUnplugged(_ id: Int, in def: inout DomainDef) {
        guard def.vcpuList.indices.contains(id), def.vcpuList[id].online else { return }
        let order = def.vcpuList[id].order
        def.vcpuList[id].online = false
        def.vcpuList[id].order = 0
        guard order != 0 else { return }
        for i in def.vcpuList.indices where def.vcpuList[i].order > order { def.vcpuList[i].order -= 1 }
    }
}
