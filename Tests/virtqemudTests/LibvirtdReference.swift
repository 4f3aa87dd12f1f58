import Foundation
import Glibc

/// The real libvirtd 9.0, as the reference for output and messages: one
/// already running is used as it is; otherwise `virtlogd -d` and
/// `libvirtd -d` are started by hand (there is no systemd) and stopped
/// afterwards. `nil` when libvirt-daemon-system is not installed.
final class LibvirtdReference: @unchecked Sendable {
    let uri = "qemu:///system"
    private let started: Bool

    private init(started: Bool) { self.started = started }

    static func acquire() -> LibvirtdReference? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/libvirtd") else { return nil }
        if responds() { return LibvirtdReference(started: false) }
        try? Command.daemonize("/usr/sbin/virtlogd", ["-d"])
        try? Command.daemonize("/usr/sbin/libvirtd", ["-d"])
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if responds() { return LibvirtdReference(started: true) }
            usleep(200_000)
        }
        return nil
    }

    private static func responds() -> Bool {
        guard FileManager.default.fileExists(atPath: "/run/libvirt/libvirt-sock") else { return false }
        return (try? Command.run("/usr/bin/virsh", ["-c", "qemu:///system", "uri"], timeout: 10).status) == 0
    }

    /// Stops the daemons if this reference started them.
    func release() {
        guard started else { return }
        for pidFile in ["/run/libvirtd.pid", "/run/virtlogd.pid"] {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
               let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                kill(pid, SIGTERM)
                let deadline = Date().addingTimeInterval(10)
                while kill(pid, 0) == 0 && Date() < deadline { usleep(50_000) }
            }
        }
    }
}
