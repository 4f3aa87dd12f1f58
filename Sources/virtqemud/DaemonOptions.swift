import virutil
import Foundation
import qemu_process

/// The command line: `virtqemud --socket PATH [--ro-socket PATH] [--root DIR]
/// [--config FILE] [--mode OCTAL] [--log-outputs SPEC] [--verbose]`.
///
/// libvirt: the options of src/remote/remote_daemon.c (`--listen`,
/// `--config`...), reduced to what this daemon needs.
struct DaemonOptions: Sendable {
    /// The read-write UNIX socket (libvirt's `virtqemud-sock`).
    var socketPath: String
    /// The read-only socket: every client on it is read-only, whatever it
    /// asks for (libvirt's `virtqemud-sock-ro`, the read-write socket's
    /// path with `-ro`).
    var readOnlySocketPath: String
    /// `qemu:///embed?root=DIR` when set, else `qemu:///system`.
    var root: String?
    /// `virtqemud.conf` as read (libvirt's defaults without `--config`),
    /// with `--mode` over `unix_sock_rw_perms`.
    var config = DaemonConfig()
    /// The config file given, for the log.
    var configPath: String?
    /// libvirt's `log_outputs` (`LEVEL:stderr`, `LEVEL:file:PATH`, ...),
    /// for the driver and the daemon alike.
    var logOutputs: String?
    var verbose = false

    /// The read-write socket's mode.
    var mode: mode_t { config.unixSockRWPerms }

    /// The sockets a real libvirt daemon listens on: refused unless
    /// `--allow-libvirt-socket` is given.
    static let libvirtSockets: Set<String> = [
        "/run/libvirt/libvirt-sock", "/var/run/libvirt/libvirt-sock",
        "/run/libvirt/libvirt-sock-ro", "/var/run/libvirt/libvirt-sock-ro",
        "/run/libvirt/virtqemud-sock", "/var/run/libvirt/virtqemud-sock",
        "/run/libvirt/virtqemud-sock-ro", "/var/run/libvirt/virtqemud-sock-ro",
    ]

    static let usage = """
    usage: virtqemud --socket PATH [--ro-socket PATH] [--root DIR] [--config FILE] [--mode OCTAL]
                     [--log-outputs SPEC] [--verbose] [--allow-libvirt-socket] [--allow-others-rw]

      --socket PATH        the read-write UNIX socket (clients use qemu+unix:///system?socket=PATH)
      --ro-socket PATH     the read-only socket (default: PATH-ro); its clients can only look
      --root DIR           serve qemu:///embed?root=DIR instead of qemu:///system
      --config FILE        settings as in libvirt's virtqemud.conf: unix_sock_group, unix_sock_ro_perms,
                           unix_sock_rw_perms, max_clients, max_queued_clients, max_anonymous_clients,
                           min_workers, max_workers, prio_workers, max_client_requests,
                           keepalive_interval, keepalive_count, and handshake_timeout
      --mode OCTAL         the read-write socket's permissions (unix_sock_rw_perms; default 0700)
      --allow-others-rw    allow a read-write socket mode that lets every user on the host in
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
        var roSocket: String?
        var root: String?
        var configPath: String?
        var mode: mode_t?
        var allowOthersRW = false
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
            case "--ro-socket":
                guard let v = value(a) else { return .failure(.init("--ro-socket needs a path")) }
                roSocket = v
            case "--config":
                guard let v = value(a) else { return .failure(.init("--config needs a file")) }
                configPath = v
            case "--allow-others-rw":
                allowOthersRW = true
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
        let ro = roSocket ?? socket + "-ro"
        guard ro.hasPrefix("/") else { return .failure(.init("--ro-socket needs an absolute path")) }
        guard (ro as NSString).standardizingPath != (socket as NSString).standardizingPath else {
            return .failure(.init("--ro-socket must differ from --socket"))
        }
        for path in [socket, ro] where Self.libvirtSockets.contains((path as NSString).standardizingPath) && !allowLibvirt {
            return .failure(.init("refusing to listen on \(path), a real libvirt daemon's socket (use --allow-libvirt-socket)"))
        }
        var config = DaemonConfig()
        if let configPath {
            guard configPath.hasPrefix("/") else { return .failure(.init("--config needs an absolute path")) }
            guard FileManager.default.fileExists(atPath: configPath) else {
                return .failure(.init("cannot read \(configPath): No such file or directory"))
            }
            do { config = try DaemonConfig(QemuConf.read(configPath)) } catch { return .failure(.init(error.message)) }
        }
        if let mode { config.unixSockRWPerms = mode }
        // Write access to the read-write socket is full control of every
        // guest (and of the host, through them): never for everyone by
        // accident.
        if config.unixSockRWPerms & 0o002 != 0 && !allowOthersRW {
            return .failure(.init("refusing read-write socket mode \(String(config.unixSockRWPerms, radix: 8)): it lets every user on the host control the daemon (use --allow-others-rw if that is meant)"))
        }
        return .success(DaemonOptions(socketPath: socket, readOnlySocketPath: ro, root: root, config: config,
                                      configPath: configPath, logOutputs: logOutputs, verbose: verbose))
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
