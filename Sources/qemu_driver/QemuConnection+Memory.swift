import domain_conf
import libvirt_abi
import qemu_domain
import qemu_monitor
import qemu_process
import virdomainobjlist
import virutil

/// What `virDomainSetMemoryFlags` changes.
///
/// libvirt: `virDomainModificationImpact` and `virDomainMemoryModFlags`.
public struct DomainMemoryModFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// The running instance (`VIR_DOMAIN_AFFECT_LIVE`).
    public static let live = DomainMemoryModFlags(rawValue: 1)
    /// The persistent definition (`VIR_DOMAIN_AFFECT_CONFIG`).
    public static let config = DomainMemoryModFlags(rawValue: 2)
    /// The maximum, not the current size (`VIR_DOMAIN_MEM_MAXIMUM`).
    public static let maximum = DomainMemoryModFlags(rawValue: 4)
    public static let all: DomainMemoryModFlags = [.live, .config, .maximum]
}

extension QemuConnection {
    /// Sets the guest's current memory (the balloon's target, `live`), or
    /// its `<currentMemory>` (`config`), or, with `maximum`, its
    /// `<memory>` (in the definition only: a running guest's maximum is
    /// fixed). Neither `live` nor `config`: the running instance if there
    /// is one, else the definition.
    ///
    /// libvirt: `qemuDomainSetMemoryFlags`.
    public func setMemory(_ dom: DomainRef, kibibytes: UInt64, flags: DomainMemoryModFlags) async throws(VirError) {
        let unknown = flags.subtracting(.all)
        guard unknown.isEmpty else {
            throw VirError.unsupportedFlags(unknown.rawValue, in: "qemuDomainSetMemoryFlags")
        }
        let obj = try obj(dom)
        try await withJob(obj, .modify, api: "qemuDomainSetMemoryFlags") { () throws(VirError) in
            let (live, config) = try modificationImpact(obj, live: flags.contains(.live), config: flags.contains(.config))
            if flags.contains(.maximum) {
                if live {
                    throw VirError(.operationInvalid, "cannot resize the maximum memory on an active domain")
                }
                var def = obj.persistentDef
                def.memory = kibibytes
                if def.currentMemory > kibibytes { def.currentMemory = kibibytes }
                try saveConfig(obj, def)
                return
            }
            let maximum = live ? obj.def.memory : obj.persistentDef.memory
            guard kibibytes <= maximum else {
                throw VirError(.invalidArg, "cannot set memory higher than max memory")
            }
            if live {
                guard obj.def.memballoon?.model == "virtio", let instance = obj.qemu.instance else {
                    throw VirError(.operationInvalid, "Unable to change memory of active domain without the balloon device and guest OS balloon driver")
                }
                do throws(QemuMonitorError) {
                    _ = try await instance.monitor().execute("balloon", ["value": .int(Int64(kibibytes * 1024))])
                } catch {
                    throw VirError(error)
                }
                obj.withLock { $0.def.currentMemory = kibibytes }
                state.saveStatus(obj)
            }
            if config {
                var def = obj.persistentDef
                def.currentMemory = kibibytes
                try saveConfig(obj, def)
            }
        }
    }

    /// Writes a changed persistent definition and makes it the object's.
    func saveConfig(_ obj: DomainObj, _ def: DomainDef) throws(VirError) {
        try AtomicFile.write(def.format(.inactive), to: driver.config.configFile(name: def.name), mode: 0o600)
        obj.withLock { f in
            if f.id != nil { f.newDef = def } else { f.def = def }
        }
    }

    /// The memory statistics of a running domain: with a virtio balloon,
    /// the memory it leaves the guest and what the guest's driver reports;
    /// always the QEMU's resident set size. At most `maxStats`, as
    /// (`virDomainMemoryStatTags` number, value) pairs.
    ///
    /// libvirt: `qemuDomainMemoryStats` → `qemuDomainMemoryStatsInternal`.
    public func memoryStats(_ dom: DomainRef, maxStats: Int, flags: UInt32 = 0) async throws(VirError) -> [(tag: Int32, value: UInt64)] {
        try Self.checkFlags(flags, allowed: 0, "qemuDomainMemoryStats")
        let obj = try obj(dom)
        return try await withJob(obj, .query, api: "qemuDomainMemoryStats") { () throws(VirError) -> [(tag: Int32, value: UInt64)] in
            guard obj.isActive, let instance = obj.qemu.instance else { throw VirError.notRunning }
            var stats: [(tag: Int32, value: UInt64)] = []
            if let balloon = obj.def.memballoon, balloon.model != "none" {
                let monitor: QemuMonitor
                do throws(QemuMonitorError) { monitor = try await instance.monitor() } catch { throw VirError(error) }
                // As libvirt: what QEMU cannot say is left out, not an error.
                do throws(QemuMonitorError) {
                    if let actual = try await monitor.queryBalloon() {
                        stats.append((6, actual))  // VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON
                    }
                } catch {
                    state.log.debug("no balloon size: \(error)", metadata: ["domain": "\(obj.name)", "step": "memory stats"])
                }
                do throws(QemuMonitorError) {
                    stats += try await monitor.guestMemoryStats(path: "/machine/peripheral/\(QemuCommandLine.balloonAlias)")
                } catch {
                    state.log.debug("no guest memory statistics: \(error)", metadata: ["domain": "\(obj.name)", "step": "memory stats"])
                }
            }
            if let proc = ProcStat.read(instance.pid) {
                stats.append((7, proc.residentKiB))  // VIR_DOMAIN_MEMORY_STAT_RSS
            } else {
                state.log.warning("cannot get RSS for domain", metadata: ["domain": "\(obj.name)", "step": "memory stats"])
            }
            return Array(stats.prefix(max(maxStats, 0)))
        }
    }
}
