import Foundation
import libvirt_abi
import qemu_process
import virutil

extension QemuDriver {
    /// Where the driver notes the boot of the host it last autostarted in.
    static func autostartMarker(_ config: QemuDriverConfig) -> String { config.stateDir + "/autostarted" }

    /// The host's boot: the kernel's random boot id.
    static func bootID() -> String? {
        (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Starts the domains marked autostart, once per boot of the host: the
    /// first driver to open the root after a boot does it, as libvirtd does
    /// at its first start after a boot; later opens (the next virsh
    /// command, a restarted daemon) leave a domain that was stopped since
    /// alone. A domain that fails to start is logged and the others go on.
    ///
    /// libvirt: `virDriverShouldAutostart` (its `autostarted` file in the
    /// state directory, removed by a reboot) and `qemuAutostartDomains`.
    static func autostartOncePerBoot(_ driver: QemuDriver) async {
        let state = driver.state
        let marker = autostartMarker(state.config)
        guard let boot = bootID() else {
            state.log.warning("cannot tell the host's boot: domains are not autostarted", metadata: ["step": "autostart"])
            return
        }
        if let done = try? String(contentsOfFile: marker, encoding: .utf8), done.trimmingCharacters(in: .whitespacesAndNewlines) == boot {
            return
        }
        do {
            try AtomicFile.write(boot + "\n", to: marker, mode: 0o600)
        } catch {
            // Without the mark every open would start them again.
            state.log.error("cannot write \(marker): \(error.message); domains are not autostarted", metadata: ["step": "autostart"])
            return
        }
        let conn = driver.connect()
        for obj in state.domains.list() where obj.autostart && !obj.isActive {
            do {
                try await conn.create(conn.lookup(uuid: obj.uuid))
            } catch {
                state.log.error("Failed to autostart VM '\(obj.name)': \(error.message)", metadata: ["domain": "\(obj.name)", "step": "autostart"])
            }
        }
        await conn.close()
    }
}
