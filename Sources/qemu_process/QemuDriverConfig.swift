import Foundation
import libvirt_abi
import virutil

/// Where a driver keeps its files, from its URI.
///
/// `qemu:///embed?root=DIR` is libvirt's embedded-driver layout: everything
/// under DIR (`etc/qemu`, `run/qemu`, `log/qemu`, `lib/qemu`, `cache/qemu`).
/// `qemu:///system` uses the same layout in the system's directories, under
/// a name of this project's own (`/etc/local-migration/qemu`,
/// `/run/local-migration/qemu`, `/var/log/local-migration/qemu`,
/// `/var/lib/local-migration/qemu`, `/var/cache/local-migration/qemu`) so that it never mixes with the files of
/// a real libvirtd on the same host.
///
/// libvirt: `virQEMUDriverConfigNew` (src/qemu/qemu_conf.c).
public struct QemuDriverConfig: Sendable, Equatable {
    /// The URI clients use to reach this driver.
    public let uri: String
    /// The embedded root, if any.
    public let root: String?
    /// Persistent definitions: `NAME.xml`.
    public let configDir: String
    /// Links to the definitions of domains that start with the driver.
    public let autostartDir: String
    /// Per-instance directories (`domain-ID-SHORTNAME/`) and driver state.
    public let stateDir: String
    /// QEMU logs: `NAME.log`.
    public let logDir: String
    /// Long-lived data: guest RAM files (`ram/UUID/ram`), the host UUID.
    public let libDir: String
    /// What the driver learnt about emulators (`capabilities/`), kept
    /// between processes.
    public let cacheDir: String
    /// The driver's settings file (`DIR/etc/qemu.conf`).
    public var confFile: String { (configDir as NSString).deletingLastPathComponent + "/qemu.conf" }
    /// Where per-UUID guest RAM files live (`memory_backing_dir`, libvirt's
    /// setting of that name; a tmpfs keeps guest RAM off the disk).
    public var memoryBackingDir: String
    /// `memory_backing_default`: what RAM a guest whose XML has no
    /// `<memoryBacking>` gets (`.private` by default, libvirt's anonymous
    /// private RAM).
    public var memoryBackingDefault = MemoryBackingDefault.private
    /// `seccomp_sandbox`: QEMU runs under its seccomp filter unless this
    /// is 0 (libvirt's default, -1, turns it on where QEMU has it; both of
    /// Debian's QEMUs here do).
    public var seccompSandbox = true
    /// `user` and `group`: who QEMU runs as, with no capabilities. `nil`:
    /// the driver's own user. `qemu:///system` run by root defaults to
    /// Debian's `libvirt-qemu:libvirt-qemu` (with the user's groups, `kvm`
    /// among them), as Debian's libvirt is built; an
    /// embedded root keeps the driver's user unless its `qemu.conf` says
    /// otherwise (its images are usually the user's own files).
    public var qemuIdentity: ProcessIdentity?
    /// `dynamic_ownership`: whether the driver gives QEMU's user the files
    /// QEMU opens (disks, NVRAM, kernel, file chardevs) and takes them back.
    public var dynamicOwnership = true

    /// The values of `memory_backing_default`.
    public enum MemoryBackingDefault: String, Sendable, CaseIterable {
        /// libvirt's: anonymous private RAM, copied by a migration.
        case `private`
        /// `"shared-file"`: its per-UUID shared file, so that a local
        /// migration copies none of it and never holds it twice.
        case sharedFile = "shared-file"
        /// `"memfd"`: a shared memfd on an emulator that can hand it to
        /// the next QEMU by `cpr-transfer` (no file on any filesystem),
        /// else as `"shared-file"`.
        case memfd
    }
    /// Where each UEFI domain's variable store lives (`NAME_VARS.fd`):
    /// the VM's, kept across its instances (libvirt: `nvramDir`,
    /// `/var/lib/libvirt/qemu/nvram`).
    public var nvramDir: String
    /// The folders of QEMU's firmware descriptors, lowest precedence
    /// first: a file name in a later folder hides the same name in an
    /// earlier one (libvirt: `qemuInteropFetchConfigs`'s `QEMU_DATADIR`
    /// then `SYSCONFDIR`).
    public var firmwareDirs: [String] = QemuDriverConfig.systemFirmwareDirs

    /// Where libvirt's network driver keeps the host's networks: the
    /// definitions, and the status of the active ones (`<interface
    /// type='network'>` is resolved against them).
    public var networkConfigDir = "/etc/libvirt/qemu/networks"
    public var networkStatusDir = "/run/libvirt/network"

    /// Where QEMU's packages and the host's administrator put firmware
    /// descriptors.
    public static let systemFirmwareDirs = ["/usr/share/qemu/firmware", "/etc/qemu/firmware"]

    /// The system layout's directories.
    public static let systemPrefix = (etc: "/etc/local-migration", run: "/run/local-migration",
                                      log: "/var/log/local-migration", lib: "/var/lib/local-migration",
                                      cache: "/var/cache/local-migration")

    /// Parses a driver URI.
    ///
    /// libvirt: `virConnectOpenInternal` (embed root checks) and
    /// `qemuConnectOpen` (path checks).
    public init(uri: String) throws(VirError) {
        guard let comps = URLComponents(string: uri), comps.scheme == "qemu" else {
            throw VirError(.noConnect, uri)
        }
        if let host = comps.host, !host.isEmpty {
            throw VirError(.noConnect, "\(uri): remote hosts need a daemon; use qemu+unix:///system?socket=PATH")
        }
        switch comps.path {
        case "/system":
            let p = QemuDriverConfig.systemPrefix
            self.init(uri: "qemu:///system", root: nil, configDir: p.etc + "/qemu", stateDir: p.run + "/qemu",
                      logDir: p.log + "/qemu", libDir: p.lib + "/qemu", cacheDir: p.cache + "/qemu")
        case "/embed":
            guard let root = comps.queryItems?.first(where: { $0.name == "root" })?.value, !root.isEmpty else {
                throw VirError(.invalidArg, "Missing 'root' parameter in URI")
            }
            guard root.hasPrefix("/") else {
                throw VirError(.configUnsupported, "root path must be absolute")
            }
            self.init(root: root)
        case "/session":
            throw VirError(.noConnect, "\(uri): the session driver is not provided; use qemu:///embed?root=DIR")
        default:
            throw VirError(.invalidArg, "unexpected QEMU URI path '\(comps.path)', try qemu:///system")
        }
    }

    /// The embedded layout under `root` (absolute).
    public init(root: String) {
        var r = root
        while r.count > 1 && r.hasSuffix("/") { r.removeLast() }
        self.init(uri: "qemu:///embed?root=\(r)", root: r, configDir: r + "/etc/qemu", stateDir: r + "/run/qemu",
                  logDir: r + "/log/qemu", libDir: r + "/lib/qemu", cacheDir: r + "/cache/qemu")
    }

    private init(uri: String, root: String?, configDir: String, stateDir: String, logDir: String, libDir: String,
                 cacheDir: String) {
        self.uri = uri
        self.root = root
        self.configDir = configDir
        self.autostartDir = configDir + "/autostart"
        self.stateDir = stateDir
        self.logDir = logDir
        self.libDir = libDir
        self.cacheDir = cacheDir
        self.memoryBackingDir = libDir + "/ram"
        self.nvramDir = libDir + "/nvram"
    }

    /// Applies the settings of `qemu.conf`.
    ///
    /// libvirt: `virQEMUDriverConfigLoadFile`.
    public mutating func load(_ conf: QemuConf) throws(VirError) {
        if let dir = conf["memory_backing_dir"] {
            guard dir.hasPrefix("/") else {
                throw VirError.conf(.confSyntax, "\(conf.path): memory_backing_dir must be an absolute path, not \"\(dir)\"")
            }
            memoryBackingDir = dir
        }
        if let v = try conf.choice("seccomp_sandbox", ["-1", "0", "1"]) { seccompSandbox = v != "0" }
        if let v = try conf.choice("dynamic_ownership", ["0", "1"]) { dynamicOwnership = v == "1" }
        let user = conf["user"], group = conf["group"]
        let systemDefault = root == nil && geteuid() == 0
        if user != nil || group != nil || systemDefault {
            let identity = try ProcessIdentity(user: user ?? (systemDefault ? "libvirt-qemu" : "+\(geteuid())"),
                                               group: group ?? (systemDefault ? "libvirt-qemu" : "+\(getegid())"))
            qemuIdentity = identity.isCaller ? nil : identity
        }
        if let mode = try conf.choice("memory_backing_default", MemoryBackingDefault.allCases.map(\.rawValue)),
           let value = MemoryBackingDefault(rawValue: mode) {
            memoryBackingDefault = value
        }
    }

    /// Where guest RAM lives when it is a shared file: per UUID, so that the
    /// source and the destination of a local migration map the same file.
    public func ramFile(uuid: String) -> String { "\(memoryBackingDir)/\(uuid)/ram" }

    /// The variable store of a UEFI domain whose XML names none.
    ///
    /// libvirt: `qemuDomainNVRAMPathFormat`.
    public func nvramFile(name: String) -> String { "\(nvramDir)/\(name)_VARS.fd" }

    /// Where `managedsave` keeps a domain's state (libvirt: `cfg->saveDir`,
    /// `qemuDomainManagedSavePath`: `SAVEDIR/NAME.save`).
    public var saveDir: String { libDir + "/save" }
    public func managedSaveFile(name: String) -> String { "\(saveDir)/\(name).save" }

    /// The persistent definition of a domain.
    public func configFile(name: String) -> String { "\(configDir)/\(name).xml" }

    /// The autostart link of a domain.
    public func autostartLink(name: String) -> String { "\(autostartDir)/\(name).xml" }

    /// The QEMU log of a domain: one per name, shared by its instances.
    public func logFile(name: String) -> String { "\(logDir)/\(name).log" }

    /// Creates the driver's directories (mode 0700 where they hold sockets
    /// or guest memory), then checks each of them, and the root's, before
    /// anything is opened in them: a directory another user can write to,
    /// or one that is a symbolic link, would let that user swap the
    /// driver's lock, status or definitions under it.
    public func createDirectories() throws(VirError) {
        var dirs: [(String, Int)] = [(configDir, 0o755), (autostartDir, 0o755), (stateDir, 0o700), (logDir, 0o700),
                                     (libDir, 0o700), (memoryBackingDir, 0o700), (nvramDir, 0o700)]
        if let root {
            dirs.insert((root, 0o700), at: 0)
            for sub in ["etc", "run", "log", "lib", "cache"] { dirs.insert((root + "/" + sub, 0o755), at: 1) }
        }
        for (dir, mode) in dirs {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: mode])
            } catch {
                throw VirError(.operationFailed, "cannot create directory '\(dir)': \(error.localizedDescription)")
            }
        }
        try Self.checkParents(of: root ?? stateDir)
        for (dir, _) in dirs { try Self.checkOwnDirectory(dir) }
        if qemuIdentity != nil {
            // QEMU's user must reach its instance directory, RAM and NVRAM
            // through these: search, not read or write.
            for dir in [root, root.map { $0 + "/run" }, root.map { $0 + "/lib" }, stateDir, libDir, memoryBackingDir, nvramDir] {
                guard let dir else { continue }
                var st = stat()
                guard stat(dir, &st) == 0 else { throw VirError.system(errno, "cannot use directory '\(dir)'") }
                if st.st_mode & 0o011 != 0o011 && chmod(dir, (st.st_mode & 0o7777) | 0o011) != 0 {
                    throw VirError.system(errno, "cannot set the mode of directory '\(dir)'")
                }
            }
        }
    }

    /// A directory of the driver's: a real directory (not a symbolic
    /// link), owned by the driver's user, writable by nobody else.
    static func checkOwnDirectory(_ dir: String) throws(VirError) {
        var st = stat()
        guard lstat(dir, &st) == 0 else { throw VirError.system(errno, "cannot use directory '\(dir)'") }
        let kind = st.st_mode & S_IFMT
        if kind == S_IFLNK { throw VirError(.operationFailed, "cannot use directory '\(dir)': it is a symbolic link") }
        guard kind == S_IFDIR else { throw VirError(.operationFailed, "cannot use directory '\(dir)': it is not a directory") }
        guard st.st_uid == geteuid() else {
            throw VirError(.operationFailed, "cannot use directory '\(dir)': it is owned by uid \(st.st_uid), not \(geteuid())")
        }
        guard st.st_mode & 0o022 == 0 else {
            throw VirError(.operationFailed, "cannot use directory '\(dir)': it is writable by other users (mode \(String(st.st_mode & 0o7777, radix: 8)))")
        }
    }

    /// The directories above the driver's: one that others can write to
    /// must be sticky (as /tmp is), or they could rename the driver's away.
    static func checkParents(of dir: String) throws(VirError) {
        var path = dir
        while let slash = path.lastIndex(of: "/"), path != "/" {
            path = slash == path.startIndex ? "/" : String(path[..<slash])
            var st = stat()
            guard stat(path, &st) == 0 else { throw VirError.system(errno, "cannot use directory '\(path)'") }
            if st.st_mode & 0o002 != 0 && st.st_mode & S_ISVTX == 0 {
                throw VirError(.operationFailed, "cannot use directory '\(dir)': '\(path)' is writable by every user and not sticky")
            }
        }
    }
}
