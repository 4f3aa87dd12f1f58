import Foundation
import Glibc
import virutil

/// Debian's libvirtd 9.0, the reference for output and messages, for every
/// test target and benchmark that compares with it: one already running is
/// used as it is; otherwise `virtlogd -d` and `libvirtd -d` are started by
/// hand (there is no systemd) and stopped by `release` afterwards.
/// `scripts/setup.sh` installs it (libvirt-daemon-system): a test that
/// cannot have it fails, it is not skipped.
public final class ReferenceLibvirtd: Sendable {
    public static let uri = "qemu:///system"
    public static let libvirtd = "/usr/sbin/libvirtd"
    public static let virtlogd = "/usr/sbin/virtlogd"
    public static let virsh = "/usr/bin/virsh"

    /// The daemons this started (pids), stopped by `release`.
    public let started: [pid_t]

    private init(started: [pid_t]) { self.started = started }

    /// The reference, started if it does not run; `nil` when it is not
    /// installed or does not answer within `timeout`.
    public static func acquire(timeout: Duration = Wait.defaultTimeout) -> ReferenceLibvirtd? {
        guard [libvirtd, virtlogd, virsh].allSatisfy({ FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        if responds() { return ReferenceLibvirtd(started: []) }
        var started: [pid_t] = []
        for (binary, pidFile) in [(virtlogd, "/run/virtlogd.pid"), (libvirtd, "/run/libvirtd.pid")] {
            if running(pidFile) != nil { continue }
            // Its output is not captured: the daemon would hold the pipes.
            (try? Subprocess(binary, ["-d"]))?.wait(timeout: 60)
            if Wait.untilBlocking(timeout: timeout, { running(pidFile) != nil }), let pid = running(pidFile) {
                started.append(pid)
            }
        }
        let reference = ReferenceLibvirtd(started: started)
        guard Wait.untilBlocking(timeout: timeout, every: .milliseconds(200), responds) else {
            reference.release()
            return nil
        }
        return reference
    }

    /// Stops what `acquire` started, waiting (generously) until it is gone.
    public func release() {
        for pid in started.reversed() {
            kill(pid, SIGTERM)
            _ = Wait.untilBlocking { !ProcStat.isRunning(pid) }
        }
    }

    /// libvirtd answers `virsh uri` on its socket.
    static func responds() -> Bool {
        guard FileManager.default.fileExists(atPath: "/run/libvirt/libvirt-sock") else { return false }
        return (try? Subprocess.run(virsh, ["-c", uri, "uri"], environment: ["LC_ALL": "C", "PATH": "/usr/bin:/bin"],
                                    timeout: 10).status) == 0
    }

    /// The pid a pid file names, if that process runs.
    static func running(_ pidFile: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), ProcStat.isRunning(pid) else { return nil }
        return pid
    }
}
