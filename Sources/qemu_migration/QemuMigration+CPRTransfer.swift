import virutil
import domain_conf
import libvirt_abi
import qemu_capabilities
import qemu_domain
import qemu_monitor
import qemu_process
import virdomainobjlist

/// Local migration by QEMU's `cpr-transfer` mode (QEMU 10.0): the old QEMU
/// hands the new one the descriptors of the guest's shared RAM over a second
/// UNIX socket (the `cpr` channel), so RAM stays where it is, then sends the
/// device state over the main channel.
///
/// The phases change order: the incoming QEMU blocks on its `cpr` channel
/// before it creates its monitor, so Prepare starts it and cannot talk to it;
/// Perform starts the source's `migrate` (the descriptors go), then connects
/// to the destination's monitor, which now exists, and lets it listen on the
/// main channel (`migrate-incoming`); Finish is unchanged.
///
/// Upstream libvirt 9.0 has no such mode; QEMU: docs/devel/migration/CPR.rst.
extension QemuMigration {
    /// Chooses how the guest moves: `cpr-transfer` when it was asked for or
    /// nothing was asked and everything allows it, otherwise `normal`.
    ///
    /// - Parameters:
    ///   - caps: what the destination's emulator offers (probed).
    ///   - def: the definition the destination runs.
    /// - Throws: `cpr-transfer` asked for and not possible, with every reason.
    static func chooseMode(_ d: QemuDriverState, asked: QemuMigrationMode?, source: DomainObj, def: DomainDef,
                           caps: QemuCaps) async throws(VirError) -> QemuMigrationMode {
        if asked == .normal { return .normal }
        var reasons: [String] = []
        if def.memoryBacking?.isShareable != true {
            reasons.append("guest RAM is not shared memory (<memoryBacking> with <source type='memfd'/> or 'file' and <access mode='shared'/>)")
        }
        if !caps.supportsCPRTransfer {
            reasons.append("emulator '\(caps.emulator)' has no cpr-transfer migration mode with aux-ram-share")
        }
        if reasons.isEmpty, let reason = await sourceCannotTransfer(source) {
            reasons.append(reason)
        }
        guard reasons.isEmpty else {
            if asked == .cprTransfer {
                throw VirError(.configUnsupported, "cannot migrate domain '\(def.name)' by cpr-transfer: " + reasons.joined(separator: "; "))
            }
            d.log.info("local migration by the migration stream: \(reasons.joined(separator: "; "))",
                                      metadata: ["domain": "\(def.name)", "step": "prepare"])
            return .normal
        }
        return .cprTransfer
    }

    /// Why the running source QEMU cannot hand its guest over by
    /// `cpr-transfer`, asked of that QEMU itself (its binary may be gone
    /// from disk since an upgrade): whether its machine runs with
    /// `aux-ram-share=on`. The driver starts a QEMU so only when the probe
    /// of its binary found both the `cpr-transfer` mode and that property
    /// (`QemuCaps.supportsCPRTransfer`), so the one property answers for
    /// both. (Asking the running QEMU for its whole QMP schema instead
    /// holds its big lock for tens of milliseconds, and the guest with it.)
    static func sourceCannotTransfer(_ source: DomainObj) async -> String? {
        guard let instance = source.qemu.instance else { return "the source instance is gone" }
        do {
            let share = try await instance.monitor().execute("qom-get", ["path": "/machine", "property": "aux-ram-share"])
            return share.boolValue == true ? nil : "the source QEMU was started without aux-ram-share=on"
        } catch {
            // QEMU before 10.0 has no such machine property: that is the answer.
            return "the source QEMU cannot share its auxiliary RAM (\(error.message))"
        }
    }

    /// Perform's work for a `cpr-transfer`: the mode and `migrate` over
    /// both channels on the source, then, once the destination has taken
    /// the descriptors and opened its monitor, its capabilities and
    /// `migrate-incoming` on the main channel.
    static func performCPRTransfer(_ d: QemuDriverState, source instance: QemuInstance, destination dst: DomainObj,
                                   def: DomainDef, flags: MigrateFlags, parameters: [String: JSONValue],
                                   uri: String) async throws(VirError) {
        guard let incoming = dst.qemu.instance, !incoming.hasExited else {
            throw VirError(.operationFailed, "job 'migration out' failed: the incoming QEMU exited")
        }
        guard uri.hasPrefix("unix:") else {
            throw VirError(.argumentUnsupported, "a cpr-transfer migration needs a UNIX socket, not '\(uri)'")
        }
        do {
            let monitor = try await instance.monitor()
            try await monitor.migrateSetCapabilities(capabilities(for: def, flags: flags, incoming: false))
            var p = parameters
            p["mode"] = .string(QemuMigrationMode.cprTransfer.rawValue)
            try await monitor.migrateSetParameters(p)
            try await monitor.migrateCPRTransfer(main: String(uri.dropFirst(5)), cpr: incoming.paths.cprSocket)
        } catch { throw VirError(error) }
        QemuMigrationCrashPoint.performDescriptorsSent.hit()
        do throws(QemuMonitorError) {
            // It exists once the new QEMU has read the descriptors; a QEMU
            // that dies first ends the wait.
            let monitor = try await incoming.monitor()
            // The ptys it opened, which Prepare could not ask for.
            if !incoming.deferredPtys.isEmpty {
                let paths = try await QemuProcess.ptyPaths(monitor)
                dst.withLock { f in QemuProcess.applyPtyPaths(incoming.deferredPtys, paths, def: &f.def) }
                d.saveStatus(dst)
            }
            // The vCPUs the source had plugged, before the state comes in.
            do throws(VirError) {
                var live = dst.def
                try await QemuVcpuHotplug.plugAtStart(&live, monitor: monitor)
                dst.withLock { [live] f in f.def.vcpuList = live.vcpuList }
            } catch {
                throw QemuMonitorError(error.code, error.detail)
            }
            try await monitor.migrateSetCapabilities(capabilities(for: def, flags: flags, incoming: true))
            try await monitor.migrateIncoming(uri: uri)
        } catch {
            throw VirError(.operationFailed, "job 'migration out' failed: the incoming QEMU did not take over: \(error.message)")
        }
    }

    /// Puts a source whose `cpr-transfer` did not happen back in the
    /// normal mode, so that its next migration is whatever that one chooses.
    static func resetMode(_ d: QemuDriverState, _ obj: DomainObj, _ instance: QemuInstance) async {
        await d.log.bestEffort("reset the migration mode to normal", domain: obj.name) {
            try await instance.monitor().migrateSetParameters(["mode": .string(QemuMigrationMode.normal.rawValue)])
        }
    }
}
