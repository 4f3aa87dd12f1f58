import virutil
import Foundation
import Glibc
import Logging
import domain_conf
import libvirt_abi
import qemu_capabilities
import qemu_monitor

/// Starting, stopping and finding again the QEMU process of one instance.
///
/// libvirt: `qemuProcessStart`, `qemuProcessStop`, `qemuProcessReconnect`
/// (src/qemu/qemu_process.c).
public enum QemuProcess {
    /// libvirt: `VIR_LOG_INIT("qemu.qemu_process")`.
    static let log = DriverLog.logger("qemu.qemu_process")

    /// How to start an instance.
    public struct StartOptions: Sendable {
        /// Wait for an incoming migration (`-incoming defer`).
        public var incoming: Bool
        /// The incoming migration is a `cpr-transfer`: QEMU waits on its
        /// `cpr` channel first, and opens its monitor only after the
        /// source sent its descriptors, so none is connected here.
        public var cpr: Bool
        /// How long QEMU may take to open its monitor.
        public var monitorTimeout: Duration
        /// What the log header says the instance is for.
        public var purpose: String
        /// Copy the UEFI variable store from its template again, even if
        /// the domain has one (`VIR_DOMAIN_START_RESET_NVRAM`).
        public var resetNVRAM: Bool

        public init(incoming: Bool = false, cpr: Bool = false, monitorTimeout: Duration = .seconds(30), purpose: String? = nil,
                    resetNVRAM: Bool = false) {
            self.incoming = incoming
            self.cpr = incoming && cpr
            self.resetNVRAM = resetNVRAM
            self.monitorTimeout = monitorTimeout
            self.purpose = purpose ?? (incoming ? (cpr ? "incoming migration, cpr-transfer" : "incoming migration") : "start")
        }
    }

    /// Starts QEMU for `def` as instance `id`: paused (`-S`), monitor
    /// connected, pty paths read back. The caller sends `cont`.
    ///
    /// Nothing is left behind when it fails: no process, no instance
    /// directory.
    ///
    /// - Parameter caps: what the emulator now on disk offers
    ///   (`QemuCapsCache.lookup`); the definition's machine type must be
    ///   one of them.
    /// - Returns: the instance, and the live definition (id and pty paths set).
    public static func start(def: DomainDef, id: Int, config: QemuDriverConfig, caps: QemuCaps,
                             options: StartOptions = StartOptions()) async throws(VirError) -> (QemuInstance, DomainDef) {
        let emulator = QemuCommandLine.emulator(for: def)
        try caps.validate(def)
        try QemuVcpuHotplug.validate(def)
        let paths = QemuInstancePaths(stateDir: config.stateDir, id: id, name: def.name)
        try paths.checkSocketPaths()
        try checkDisks(def)
        let ramFile = config.ramFile(uuid: def.uuid.description)
        // Each instance listens on its own display ports: the two ends of a
        // local migration run side by side. Held until QEMU exits.
        var graphicsPorts: [Int: Int] = [:]
        var releasePorts = true
        defer { if releasePorts { graphicsPorts.values.forEach(VirPortAllocator.display.release) } }
        for (i, g) in def.graphics.enumerated() where g.autoport && (g.type == .vnc || g.type == .spice) {
            graphicsPorts[i] = try VirPortAllocator.display.acquire(address: g.listen ?? "127.0.0.1")
        }
        // Interfaces on a tap: each instance creates its own (both ends of a
        // local migration are on the bridge at once), passed to QEMU as
        // descriptors 3, 4, ...; a network is resolved to its bridge first.
        var tapped: [(index: Int, bridge: String?)] = []
        for (i, net) in def.interfaces.enumerated() {
            switch net.type {
            case "bridge": tapped.append((i, net.source))
            case "network": tapped.append((i, try QemuNetworkResolver.bridge(network: net.source ?? "", config: config)))
            case "ethernet": tapped.append((i, nil))
            default: break
            }
        }
        let tapFDs = Dictionary(uniqueKeysWithValues: tapped.enumerated().map { ($0.element.index, Int32(3 + $0.offset)) })
        let cmd = try QemuCommandLine.build(def: def, id: id, paths: paths, ramFile: ramFile,
                                            options: .init(incoming: options.incoming,
                                                           cprChannel: options.cpr ? paths.cprSocket : nil,
                                                           auxRamShare: caps.supportsCPRTransfer, kvmAvailable: QemuHost.kvmUsable,
                                                           graphicsPorts: graphicsPorts, tapFDs: tapFDs,
                                                           sandbox: config.seccompSandbox))
        try config.createDirectories()
        if options.incoming {
            try checkIncomingNVRAM(def)
        } else {
            try prepareNVRAM(def, reset: options.resetNVRAM)
        }

        guard mkdir(paths.dir, 0o700) == 0 else {
            throw VirError.system(errno, "cannot create instance directory '\(paths.dir)'")
        }
        var cleanupDir = true
        defer { if cleanupDir { removeInstanceDir(paths) } }
        var ramDir: String?
        if def.memoryBacking?.source == .file {
            let dir = (ramFile as NSString).deletingLastPathComponent
            if mkdir(dir, 0o700) != 0 && errno != EEXIST {
                throw VirError.system(errno, "cannot create directory '\(dir)'")
            }
            ramDir = dir
        }
        if let identity = config.qemuIdentity {
            try QemuSecurityDAC.setAll(def, instanceDir: paths.dir, ramDir: ramDir, identity: identity,
                                       dynamicOwnership: config.dynamicOwnership)
        }

        let log = QemuLogFile(path: config.logFile(name: def.name))
        let (logFD, logOffset) = try log.openForInstance()
        defer { close(logFD) }
        log.append(fd: logFD, "starting up instance id \(id) (\(options.purpose)), emulator \(emulator)")
        let env = environment(paths)
        let line = commandString(env: env, argv: cmd.argv) + "\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(logFD, $0.baseAddress, $0.count - 1) }

        var taps: [VirNetDevTap] = []
        // QEMU holds its own descriptors: the taps live as long as it does.
        defer { for tap in taps { close(tap.fd) } }
        for t in tapped {
            let net = def.interfaces[t.index]
            // A name the driver chose for another instance (vnetN) is not
            // this one's: the kernel chooses again.
            let name = net.node.child("target")?.attribute("dev").flatMap { $0.hasPrefix(VirNetDevTap.generatedPrefix) ? nil : $0 }
            taps.append(try VirNetDevTap.create(name: name, mac: net.mac, bridge: t.bridge))
        }
        let pid = try ProcessSpawner.spawn(cmd.argv, environment: env, outputFD: logFD, passFDs: taps.map(\.fd),
                                           identity: config.qemuIdentity)
        // Held before the reaper can reap it: the failures below signal
        // this QEMU, never a process that got its pid since.
        let child = VirProcess.Child(pid)
        let exited = ExitFlag()
        ProcessSpawner.reap(pid) { status in exited.set(status) }

        if options.cpr {
            // Nothing to ask QEMU yet: it blocks on the cpr channel. Its
            // pty paths are read once its monitor exists (`deferredPtys`).
            // Ready once it listens on the cpr channel (it creates that
            // socket before it blocks on it).
            let listening = await VirTime.poll(timeout: options.monitorTimeout) {
                exited.isSet || access(paths.cprSocket, F_OK) == 0
            }
            guard listening, !exited.isSet else {
                child.signal(SIGKILL)
                _ = await exited.wait(timeout: .seconds(5))
                let tail = log.read(from: logOffset)
                let prefix = exited.isSet ? "process exited while waiting for its cpr channel" : "cpr channel '\(paths.cprSocket)' did not show up"
                throw VirError(.internalError, tail.isEmpty ? prefix : "\(prefix): \(tail)")
            }
            let instance = QemuInstance(deferredID: id, pid: pid, startTime: ProcStat.read(pid)?.startTime ?? 0, emulator: emulator,
                                        binary: caps.identity, version: caps.version, paths: paths, log: log,
                                        ptys: cmd.ptyDevices)
            exited.onSet { status in instance.markExited(status: status) }
            let heldPorts = Array(graphicsPorts.values)
            releasePorts = false
            exited.onSet { _ in heldPorts.forEach(VirPortAllocator.display.release) }
            cleanupDir = false
            return (instance, liveDefinition(def, id: id, cmd: cmd, tapped: tapped, taps: taps, graphicsPorts: graphicsPorts))
        }

        let monitor: QemuMonitor
        do {
            monitor = try await QemuMonitor.connect(path: paths.monitor, timeout: options.monitorTimeout,
                                                    processAlive: { !exited.isSet })
        } catch {
            child.signal(SIGKILL)
            _ = await exited.wait(timeout: .seconds(5))
            let tail = log.read(from: logOffset)
            let prefix = exited.isSet && !error.message.contains("did not show up") ? "process exited while connecting to monitor" : error.message
            throw VirError(.internalError, tail.isEmpty ? prefix : "\(prefix): \(tail)")
        }
        let startTime = ProcStat.read(pid)?.startTime ?? 0
        let instance = QemuInstance(id: id, pid: pid, startTime: startTime, emulator: emulator, binary: caps.identity,
                                    paths: paths, monitor: monitor, log: log)
        exited.onSet { status in instance.markExited(status: status) }
        let heldPorts = Array(graphicsPorts.values)
        releasePorts = false
        exited.onSet { _ in heldPorts.forEach(VirPortAllocator.display.release) }

        var live = liveDefinition(def, id: id, cmd: cmd, tapped: tapped, taps: taps, graphicsPorts: graphicsPorts)
        do {
            try await readPtyPaths(cmd.ptyDevices, monitor: monitor, def: &live)
        } catch {
            await kill(instance)
            throw VirError(.internalError, "cannot read the pty paths of the character devices: \(error.message)")
        }
        do {
            try await QemuVcpuHotplug.plugAtStart(&live, monitor: monitor)
        } catch {
            await kill(instance)
            throw error
        }
        // The balloon's target: <currentMemory>. An incoming instance gets
        // the source's balloon state with the migration stream.
        if !options.incoming && def.currentMemory < def.memory {
            do {
                _ = try await monitor.execute("balloon", ["value": .int(Int64(def.currentMemory * 1024))])
            } catch {
                await kill(instance)
                throw VirError(.internalError, "cannot set the balloon to <currentMemory>: \(error.message)")
            }
        }
        cleanupDir = false
        return (instance, live)
    }

    /// The live definition of a started instance: its id, and what the
    /// driver chose for this instance (tap names, display ports, channel
    /// sockets).
    static func liveDefinition(_ def: DomainDef, id: Int, cmd: QemuCommandLine, tapped: [(index: Int, bridge: String?)],
                               taps: [VirNetDevTap], graphicsPorts: [Int: Int]) -> DomainDef {
        var live = def
        live.id = id
        for (t, tap) in zip(tapped, taps) { live.interfaces[t.index].setTargetDevice(tap.name) }
        for (i, port) in graphicsPorts {
            live.graphics[i].setLive(port: port, listen: QemuCommandLineBuilder.defaultListen)
        }
        for (i, path) in cmd.channelSockets {
            live.channels[i].sourcePath = path
            live.channels[i].sourceMode = "bind"
        }
        return live
    }

    /// Stops an instance: `quit` over QMP, then SIGTERM, then SIGKILL, then
    /// removes its directory (sockets, pid file, status file) unless the
    /// caller does that itself.
    ///
    /// libvirt: `qemuProcessKill` (`virProcessKillPainfully`) and `qemuProcessStop`.
    public static func stop(_ instance: QemuInstance, graceful: Bool = true, reason: String, removeDirectory: Bool = true) async {
        // `quit` over a monitor the driver holds; an instance found again
        // whose monitor no command needed gets the SIGTERM below, which QEMU
        // handles as gracefully (libvirt's qemuProcessKill sends only signals).
        if !instance.hasExited && graceful, let monitor = instance.connectedMonitor {
            // Not answering `quit` is what the signals below are for.
            await log.bestEffort("quit", domain: instance.paths.dir) { try await monitor.quit() }
            _ = await instance.waitForExit(timeout: .seconds(5))
        }
        await kill(instance)
        instance.log.append("shutting down, reason=\(reason), instance id \(instance.id)")
        if removeDirectory { removeInstanceDir(instance.paths) }
    }

    /// SIGKILL at once, for a QEMU that cannot handle SIGTERM and holds
    /// nothing to save: an incoming `cpr-transfer` QEMU still blocked on its
    /// `cpr` channel (its main loop, which acts on SIGTERM, does not run yet).
    public static func killAtOnce(_ instance: QemuInstance) async {
        guard !instance.hasExited, VirProcess.signal(instance.pid, startTime: instance.startTime, SIGKILL) else { return }
        _ = await instance.waitForExit(timeout: .seconds(10))
    }

    /// SIGTERM, then SIGKILL, until the process is gone.
    static func kill(_ instance: QemuInstance) async {
        for (signal, wait) in [(SIGTERM, Duration.seconds(10)), (SIGKILL, Duration.seconds(10))] {
            if instance.hasExited { break }
            VirProcess.signal(instance.pid, startTime: instance.startTime, signal)
            if await instance.waitForExit(timeout: wait) { break }
        }
        instance.closeMonitor()
    }

    /// Finds again the instance a status file describes: the pid must be
    /// alive and be that QEMU, read from /proc: the start time recorded when
    /// it was spawned, checked once a pidfd holds the process (the pair
    /// names one process for good); without pidfds, the start time and the
    /// monitor socket on its command line. Its monitor is not connected: the
    /// instance connects it when a command first needs it
    /// (`QemuInstance.monitor()`), and its end is noticed from its pidfd
    /// (`QemuInstance.isExitWatched`; without pidfds the caller connects
    /// the monitor, whose end then tells).
    ///
    /// - Returns: the instance, or `nil` when its QEMU is gone (the caller
    ///   cleans up with `removeInstanceDir`).
    ///
    /// libvirt: `qemuProcessReconnect` (its liveness checks; the monitor
    /// connection comes later, on demand).
    public static func find(_ header: QemuStatusHeader, config: QemuDriverConfig) -> QemuInstance? {
        let status = header.instance
        let pid = status.pid
        guard let id = header.id else { return nil }
        let paths = QemuInstancePaths(stateDir: config.stateDir, id: id, name: header.name)
        let instance = QemuInstance(foundID: id, pid: pid, startTime: status.startTime, emulator: status.emulator,
                                    binary: status.binary, version: status.qemuVersion, paths: paths,
                                    log: QemuLogFile(path: config.logFile(name: header.name)))
        // The watch checks that the pid is still the process that started
        // at the recorded time; without one, /proc says it here.
        switch instance.watchExit() {
        case .watching:
            return instance
        case .notThatProcess:
            return nil
        case .unavailable:
            guard let stat = ProcStat.read(pid), stat.state != "Z", stat.state != "X",
                  stat.startTime == status.startTime, ProcStat.commandLine(pid, contains: status.monitorPath) else { return nil }
            return instance
        }
    }

    /// Removes an instance directory and what is in it.
    public static func removeInstanceDir(_ paths: QemuInstancePaths) { removeInstanceDir(paths.dir) }

    /// Removes an instance directory whose QEMU is gone, after taking back
    /// the files its QEMU was given (`QemuSecurityDAC.restoreAll`).
    public static func removeInstanceDir(_ dir: String) {
        QemuSecurityDAC.restoreAll(instanceDir: dir)
        log.bestEffort("remove the instance directory", domain: dir) { try VirFile.deleteTree(dir) }
    }

    /// The status files of every instance directory under the state dir.
    public static func statusFiles(config: QemuDriverConfig) -> [String] {
        // No state directory yet: no instance either.
        let names = (try? FileManager.default.contentsOfDirectory(atPath: config.stateDir)) ?? []
        return names.filter { $0.hasPrefix("domain-") }.sorted().map { "\(config.stateDir)/\($0)/status.xml" }
    }

    /// Stops the QEMU of an instance directory that has no usable status
    /// file (a driver died between spawning it and its first status write,
    /// or the file is unreadable): nothing describes that instance, so no
    /// driver could ever manage it, and it must not run beside the domain's
    /// real instance. Its pid comes from its pid file, and counts only if
    /// that process's command line names the directory (a reused pid is
    /// left alone).
    ///
    /// - Returns: the pid stopped, if any.
    @discardableResult
    public static func stopOrphan(instanceDir dir: String) -> pid_t? {
        guard let text = FileManager.default.contents(atPath: dir + "/qemu.pid").map({ String(decoding: $0, as: UTF8.self) }),
              let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1,
              let stat = ProcStat.read(pid), stat.state != "Z", stat.state != "X",
              ProcStat.commandLine(pid, contains: dir) else { return nil }
        log.warning("stopping QEMU process \(pid), which no status file describes", metadata: ["domain": "\(dir)", "step": "reconnect"])
        // The process whose command line was read: same pid, same start time.
        guard VirProcess.signal(pid, startTime: stat.startTime, SIGKILL) else { return nil }
        // SIGKILL is not refused; it is gone (or a zombie of a dead parent) soon.
        for _ in 0..<500 {
            guard let now = ProcStat.read(pid), now.startTime == stat.startTime, now.state != "Z", now.state != "X" else { break }
            usleep(10_000)
        }
        return pid
    }


    /// libvirt refuses to start with a disk image that does not exist.
    ///
    /// libvirt: `qemuDomainStorageSourceAccessAllow` / `virStorageSourceReportBrokenChain`.
    static func checkDisks(_ def: DomainDef) throws(VirError) {
        for disk in def.disks {
            guard let path = disk.sourcePath else { continue }
            if access(path, F_OK) != 0 {
                throw VirError.system(errno, "Cannot access storage file '\(path)' (as uid:\(getuid()), gid:\(getgid()))")
            }
        }
    }

    /// Reads where QEMU put each pty (`query-chardev`).
    ///
    /// libvirt: `qemuProcessLookupPTYs`.
    static func readPtyPaths(_ ptys: [QemuCommandLine.PtyDevice], monitor: QemuMonitor, def: inout DomainDef) async throws(QemuMonitorError) {
        guard !ptys.isEmpty else { return }
        applyPtyPaths(ptys, try await ptyPaths(monitor), def: &def)
    }

    /// The pty each character device got, by chardev id (`query-chardev`).
    public static func ptyPaths(_ monitor: QemuMonitor) async throws(QemuMonitorError) -> [String: String] {
        let reply = try await monitor.execute("query-chardev")
        var byLabel: [String: String] = [:]
        for entry in reply.arrayValue ?? [] {
            if let label = entry["label"]?.stringValue, let file = entry["filename"]?.stringValue, file.hasPrefix("pty:") {
                byLabel[label] = String(file.dropFirst(4))
            }
        }
        return byLabel
    }

    /// Puts the ptys `ptyPaths` read in the live definition: each serial's
    /// path, and its console's.
    public static func applyPtyPaths(_ ptys: [QemuCommandLine.PtyDevice], _ byLabel: [String: String], def: inout DomainDef) {
        for pty in ptys {
            guard let path = byLabel[pty.chardevID] else { continue }
            if pty.kind == "serial" {
                def.serials[pty.index].sourcePath = path
                let port = def.serials[pty.index].targetPort ?? pty.index
                for i in def.consoles.indices where def.consoles[i].type == .pty && (def.consoles[i].targetPort ?? 0) == port {
                    def.consoles[i].sourcePath = path
                }
            }
        }
    }

    /// QEMU's environment: a fixed `PATH` and locale, and its instance
    /// directory as home (libvirt: `qemuProcessLaunch`'s `virCommandAddEnv*`).
    static func environment(_ paths: QemuInstancePaths) -> [String] {
        ["LC_ALL=C", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=\(paths.dir)",
         "XDG_DATA_HOME=\(paths.dir)", "XDG_CACHE_HOME=\(paths.dir)", "XDG_CONFIG_HOME=\(paths.dir)"]
    }

    /// The environment and the arguments on one line, quoted for a shell,
    /// as the log shows a start (libvirt: `virCommandToString`).
    static func commandString(env: [String], argv: [String]) -> String {
        (env + argv.map(shellQuote)).joined(separator: " ")
    }

    /// The command line a start of `def` as instance `id` would run, for
    /// showing only: nothing is allocated, created or started; autoport
    /// displays show libvirt's pretend ports.
    ///
    /// libvirt: `qemuProcessCreatePretendCmdPrepare`, `qemuProcessCreatePretendCmdBuild`.
    public static func pretendCommandLine(def: DomainDef, id: Int, config: QemuDriverConfig, caps: QemuCaps) throws(VirError) -> String {
        try caps.validate(def)
        let paths = QemuInstancePaths(stateDir: config.stateDir, id: id, name: def.name)
        let cmd = try QemuCommandLine.build(def: def, id: id, paths: paths, ramFile: config.ramFile(uuid: def.uuid.description),
                                            options: .init(kvmAvailable: QemuHost.kvmUsable, pretend: true,
                                                           sandbox: config.seccompSandbox))
        return commandString(env: environment(paths), argv: cmd.argv)
    }

    static func shellQuote(_ s: String) -> String {
        if !s.isEmpty && s.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || "-_=/.,:@+".unicodeScalars.contains($0) }) {
            return s
        }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
