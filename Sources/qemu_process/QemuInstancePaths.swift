import virutil
import libvirt_abi

/// The paths of one QEMU instance: all under a directory named with the
/// domain's id, so that two instances of one domain (the two ends of a
/// local migration) never share a socket, a pid file or a status file.
///
/// This is patch 5 of the series. libvirt 6.0 keyed the monitor socket and
/// the pid file by name: QEMU silently steals a reused socket path, refuses
/// a locked pid file, and the last status writer wins.
///
/// libvirt: `qemuDomainSetPrivatePaths`, `virDomainDefGetShortName`.
public struct QemuInstancePaths: Sendable, Equatable {
    /// `STATEDIR/domain-ID-SHORTNAME`.
    public let dir: String
    /// The QMP socket.
    public let monitor: String
    public let pidFile: String
    /// The instance's status XML, rewritten atomically.
    public let statusFile: String
    /// Where an incoming migration listens.
    public let migrateSocket: String
    /// Where an incoming `cpr-transfer` migration receives QEMU's
    /// descriptors (the `cpr` channel).
    public let cprSocket: String

    /// `sun_path` holds 108 bytes with the terminating NUL.
    public static let maxSocketPathBytes = UnixSocketAddress.maxPathLength

    /// libvirt keeps the first 20 characters of the name (`VIR_DOMAIN_SHORT_NAME_MAX`).
    public static let shortNameLength = 20

    /// The driver's state directory, which holds every instance's.
    public let stateDir: String

    public init(stateDir: String, id: Int, name: String) {
        self.stateDir = stateDir
        dir = "\(stateDir)/domain-\(QemuInstancePaths.shortName(id: id, name: name))"
        monitor = dir + "/monitor.sock"
        pidFile = dir + "/qemu.pid"
        statusFile = dir + "/status.xml"
        migrateSocket = dir + "/migrate.sock"
        cprSocket = dir + "/cpr.sock"
    }

    /// `ID-FIRST20CHARS`.
    public static func shortName(id: Int, name: String) -> String {
        "\(id)-\(name.prefix(shortNameLength))"
    }

    /// A socket of a character device that listens (a `unix` chardev in bind
    /// mode with no path of its own).
    public func chardevSocket(alias: String) -> String { "\(dir)/\(alias).sock" }

    /// Whether `path` is a socket the driver chose for an instance (of
    /// this domain or another one): such a path is the instance's, never
    /// the domain's, so the other end of a local migration, whose
    /// definition comes from this one, chooses its own.
    ///
    /// libvirt: `qemuDomainChrDefDropDefaultPath` (for the migratable XML).
    public func isInstanceSocket(_ path: String) -> Bool {
        guard path.hasPrefix(stateDir + "/domain-"), path.hasSuffix(".sock") else { return false }
        return !path.dropFirst(stateDir.count + 1).dropLast(5).contains("..")
    }

    /// Refuses a socket path that does not fit in `sun_path`; never truncates.
    public static func checkSocketPath(_ path: String) throws(VirError) {
        if path.utf8.count > maxSocketPathBytes {
            throw VirError(.internalError,
                                   "UNIX socket path '\(path)' too long: \(path.utf8.count) bytes, the limit is \(maxSocketPathBytes)")
        }
    }

    /// Checks every socket of the instance.
    public func checkSocketPaths() throws(VirError) {
        try Self.checkSocketPath(monitor)
        try Self.checkSocketPath(migrateSocket)
        try Self.checkSocketPath(cprSocket)
    }
}
