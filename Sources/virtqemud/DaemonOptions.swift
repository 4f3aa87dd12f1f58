import virutil
import Foundation
import qemu_process

/// The command line: `virtqemud --socket PATH [--root DIR] [--mode OCTAL] [--log-outputs SPEC] [--verbose]`.
///
/// libvirt: the options of src/remote/remote_daemon.c (`--listen`,
/// `--config`...), reduced to what this daemon needs.
struct DaemonOptions: Sendable {
    /// The UNIX socket to listen on.
    var socketPath: String
    /// `qemu:///embed?root=DIR` when set, else `qemu:///system`.
    var root: String?
    /// The socket's permissions (libvirt's `unix_sock_rw_perms`), 0600 by default.
    var mode: mode_t = 0o600
    /// libvirt's `log_outputs` (`LEVEL:stderr`, `LEVEL:file:PATH`, ...),
    /// for the driver and the daemon alike.
    var logOutputs: String?
    var verbose = false

    /// The sockets a real libvirt daemon listens on: refused unless
    /// `--allow-libvirt-socket` is given.
    static let libvirtSockets: Set<String> = [
        "/run/libvirt/libvirt-sock", "/var/run/libvirt/libvirt-sock",
        "/run/libvirt/libvirt-sock-ro", "/var/run/libvirt/libvirt-sock-ro",
        "/run/libvirt/virtqemud-sock", "/var/run/libvirt/virtqemud-sock",
        "/run/libvirt/virtqemud-sock-ro", "/var/run/libvirt/virtqemud-sock-ro",
    ]

    static let usage = """
    usage: virtqemud --socket PATH [--root DIR] [--mode OCTAL] [--log-outputs SPEC] [--verbose] [--allow-libvirt-socket]

      --socket PATH        listen on this UNIX socket (clients use qemu+unix:///system?socket=PATH)
      --root DIR           serve qemu:///embed?root=DIR instead of qemu:///system
      --mode OCTAL         socket permissions (default 0600)
      --log-outputs SPEC   where the log goes, as libvirt's log_outputs: "3:stderr 1:file:/var/log/vq.log"
                           (levels 1 debug, 2 info, 3 warning, 4 error; default: LIBVIRT_LOG_OUTPUTS, else 3:stderr)
      --verbose            log every call (as --log-outputs 1:stderr)
    """

    /// The driver URI this daemon serves.
    var driverURI: String {
        root.map { "qemu:///embed?root=\($0)" } ?? "qemu:///system"
    }

    /// Parses arguments; a message for the user on error.
    static func parse(_ args: [String]) -> Result<DaemonOptions, DaemonOptionsError> {
        var socket: String?
        var root: String?
        var mode: mode_t = 0o600
        var verbose = false
        var logOutputs: String?
        var allowLibvirt = false
        var i = 0
        func value(_ name: String) -> String? {
            i += 1
            return i < args.count ? args[i] : nil
        }
        while i < args.count {
            let a = args[i]
            switch a {
            case "--socket":
                guard let v = value(a) else { return .failure(.init("--socket needs a path")) }
                socket = v
            case "--root":
                guard let v = value(a) else { return .failure(.init("--root needs a directory")) }
                root = v
            case "--mode":
                guard let v = value(a), let m = mode_t(v, radix: 8), m <= 0o777 else {
                    return .failure(.init("--mode needs an octal mode such as 0600"))
                }
                mode = m
            case "--log-outputs":
                guard let v = value(a) else { return .failure(.init("--log-outputs needs a setting such as 3:stderr")) }
                do { _ = try DriverLog.parse(v) } catch { return .failure(.init(error.message)) }
                logOutputs = v
            case "--verbose", "-v":
                verbose = true
            case "--allow-libvirt-socket":
                allowLibvirt = true
            case "--help", "-h":
                return .failure(.init(usage, isHelp: true))
            default:
                return .failure(.init("unknown option '\(a)'\n\(usage)"))
            }
            i += 1
        }
        guard let socket, !socket.isEmpty else { return .failure(.init("--socket is required\n\(usage)")) }
        guard socket.hasPrefix("/") else { return .failure(.init("--socket needs an absolute path")) }
        if let root, !root.hasPrefix("/") { return .failure(.init("--root needs an absolute path")) }
        let normalized = (socket as NSString).standardizingPath
        if Self.libvirtSockets.contains(normalized) && !allowLibvirt {
            return .failure(.init("refusing to listen on \(socket), a real libvirt daemon's socket (use --allow-libvirt-socket)"))
        }
        return .success(DaemonOptions(socketPath: socket, root: root, mode: mode, logOutputs: logOutputs, verbose: verbose))
    }
}

/// A command line the daemon cannot run with.
struct DaemonOptionsError: Error, Sendable {
    let message: String
    let isHelp: Bool
    init(_ message: String, isHelp: Bool = false) {
        self.message = message
        self.isHelp = isHelp
    }
}
