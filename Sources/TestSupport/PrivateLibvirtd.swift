import Foundation
import Glibc
import virutil

/// Debian's libvirtd 9.0, a daemon of its own: the system's binaries and
/// configuration, run in a mount namespace (`unshare --mount`) in which
/// libvirt's directories (/run/libvirt, /var/lib/libvirt,
/// /var/cache/libvirt, /var/log/libvirt, and /etc/libvirt/qemu, where the
/// domain definitions go) are directories of a private folder, with a
/// virtlogd of its own beside it. Its domains, sockets and networks are
/// its own: a benchmark that starts a hundred guests on it leaves the
/// system daemon (`ReferenceLibvirtd`, which the tests compare against)
/// alone. Reached from outside on its socket, `uri`.
public final class PrivateLibvirtd: @unchecked Sendable {
    /// The private folder (mode 0755: QEMU runs as libvirt-qemu under it).
    public let dir: String
    private let process: Subprocess

    /// `qemu+unix:///system?socket=DIR/run/libvirt-sock`.
    public var uri: String { "qemu+unix:///system?socket=\(dir)/run/libvirt-sock" }
    /// The read-only socket's URI.
    public var readOnlyURI: String { "qemu+unix:///system?socket=\(dir)/run/libvirt-sock-ro" }

    /// Where each of libvirt's directories is, inside `dir`.
    static let binds = [("run", "/run/libvirt"), ("lib", "/var/lib/libvirt"), ("cache", "/var/cache/libvirt"),
                        ("log", "/var/log/libvirt"), ("etc-qemu", "/etc/libvirt/qemu")]

    private init(dir: String, process: Subprocess) {
        self.dir = dir
        self.process = process
    }

    /// Starts the daemon and waits (`timeout`) until it answers.
    ///
    /// - Returns: `nil` when libvirtd, virtlogd, virsh or unshare are not
    ///   installed, when mounts are not allowed (no CAP_SYS_ADMIN), or when
    ///   the daemon does not answer in time (`why` says which; nothing is
    ///   left running).
    /// - Parameter config: the text of a `libvirtd.conf` to run with
    ///   (`-f`), instead of the system's.
    public static func start(timeout: Duration = .seconds(120), config: String? = nil, why: inout String) -> PrivateLibvirtd? {
        let unshare = "/usr/bin/unshare"
        for binary in [ReferenceLibvirtd.libvirtd, ReferenceLibvirtd.virtlogd, ReferenceLibvirtd.virsh, unshare]
        where !FileManager.default.isExecutableFile(atPath: binary) {
            why = "\(binary) is missing"
            return nil
        }
        var template = Array("/tmp/lm-libvirtd-XXXXXX".utf8CString)
        guard let dir = template.withUnsafeMutableBufferPointer({ buf -> String? in
            guard let base = buf.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }) else {
            why = "cannot create a private directory: \(String(cString: strerror(errno)))"
            return nil
        }
        chmod(dir, 0o755)
        // The mount points must exist outside (libvirt's packages make all
        // but /run/libvirt, which the system daemon makes when it runs).
        var script = "set -e\n"
        for (sub, target) in binds {
            script += "mkdir -p '\(dir)/\(sub)' '\(target)'\nmount --bind '\(dir)/\(sub)' '\(target)'\n"
        }
        script += "\(ReferenceLibvirtd.virtlogd) -d -p '\(dir)/virtlogd.pid'\n"
        var configArgs = ""
        if let config {
            guard FileManager.default.createFile(atPath: dir + "/libvirtd.conf", contents: Data(config.utf8)) else {
                why = "cannot write \(dir)/libvirtd.conf"
                return nil
            }
            configArgs = " -f '\(dir)/libvirtd.conf'"
        }
        script += "exec \(ReferenceLibvirtd.libvirtd) -p '\(dir)/libvirtd.pid'\(configArgs)\n"
        let process: Subprocess
        do {
            process = try Subprocess(unshare, ["--mount", "--propagation", "private", "/bin/sh", "-c", script],
                                     environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"],
                                     stdout: .file(dir + "/libvirtd.log"), stderr: .file(dir + "/libvirtd.log"))
        } catch {
            why = "cannot run \(unshare): \(error)"
            return nil
        }
        let daemon = PrivateLibvirtd(dir: dir, process: process)
        guard Wait.untilBlocking(timeout: timeout, every: .milliseconds(200), { daemon.responds() || !process.isRunning }),
              process.isRunning else {
            why = "libvirtd did not come up: " + ((try? String(contentsOfFile: dir + "/libvirtd.log", encoding: .utf8)) ?? "")
            daemon.stop()
            return nil
        }
        return daemon
    }

    /// Debian's virsh answers `uri` on the socket.
    func responds() -> Bool {
        guard FileManager.default.fileExists(atPath: dir + "/run/libvirt-sock") else { return false }
        return (try? Subprocess.run(ReferenceLibvirtd.virsh, ["-c", uri, "uri"], environment: ["LC_ALL": "C", "PATH": "/usr/bin:/bin"],
                                    timeout: 10).status) == 0
    }

    /// Stops libvirtd and its virtlogd (waiting, generously, until they are
    /// gone) and removes the folder. The domains' QEMUs are the caller's to
    /// destroy first: a libvirtd that stops leaves its guests running.
    public func stop() {
        if process.isRunning {
            process.terminate()
            if !process.wait(timeout: 30) {
                process.signal(SIGKILL)
                process.wait()
            }
        }
        if let text = try? String(contentsOfFile: dir + "/virtlogd.pid", encoding: .utf8),
           let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), ProcStat.isRunning(pid) {
            kill(pid, SIGTERM)
            _ = Wait.untilBlocking { !ProcStat.isRunning(pid) }
        }
        // Root-owned files of QEMU's (libvirt chowns them back on stop).
        do { try FileManager.default.removeItem(atPath: dir) } catch {
            FileHandle.standardError.write(Data("warning: cannot remove \(dir): \(error)\n".utf8))
        }
    }
}
