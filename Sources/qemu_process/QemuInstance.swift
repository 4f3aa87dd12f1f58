import virutil
import Foundation
import Glibc
import Synchronization
import qemu_capabilities
import qemu_monitor

/// One running QEMU process of a domain: its id, pid, paths, and the one QMP
/// connection the driver keeps to it. Notices when the process goes away,
/// whether the driver started it (and reaps it) or found it again.
///
/// An instance the driver started has its monitor from the start. One found
/// again from its status file (a new driver process on a root whose guests
/// run on) connects its monitor when a command first needs it, `monitor()`:
/// until then its end is noticed from the process itself
/// (`ProcessExitWatch`), so that opening a root with many running guests
/// costs no monitor connection at all.
///
/// libvirt: the process half of `qemuDomainObjPrivate` (src/qemu/qemu_domain.h).
public final class QemuInstance: Sendable {
    public let id: Int
    public let pid: Int32
    /// /proc start time of the process: with the pid, it identifies it.
    public let startTime: UInt64
    public let emulator: String
    /// The emulator file the process was started from, when known (a
    /// status file of an older driver does not say): an upgrade compares
    /// it with the file now at `emulator`.
    public let binary: QemuBinaryIdentity?
    public let paths: QemuInstancePaths
    public let log: QemuLogFile
    /// Started by this process (which reaps it), or found again.
    public let isChild: Bool
    /// The QEMU version the status file recorded (an instance found again).
    private let recordedVersion: QemuVersion?

    /// The monitor connection, in the order it goes through.
    private enum MonitorState {
        /// Found again, not connected yet.
        case idle
        /// A connection is being made; callers wait for `task`.
        case connecting(Task<Result<QemuMonitor, QemuMonitorError>, Never>)
        /// Connected; the reconnect handler runs before anyone else gets it.
        case catchingUp(Task<Result<QemuMonitor, QemuMonitorError>, Never>, QemuMonitor)
        case connected(QemuMonitor)
        /// Closed (by the driver, or because the process ended): no new connection.
        case closed(QemuMonitorError)
    }

    private struct State {
        var exited = false
        /// Every exit handler has run.
        var exitHandled = false
        var exitStatus: Int32?
        var exitHandlers: [@Sendable () -> Void] = []
        var eventHandler: (@Sendable (QemuMonitorEvent) -> Void)?
        var monitor: MonitorState
        var reconnectHandler: (@Sendable (QemuMonitor) async -> Void)?
        var exitWatch: ProcessExitWatch?
    }
    private let state: Mutex<State>

    /// An instance this process started, its monitor connected.
    convenience init(id: Int, pid: Int32, startTime: UInt64, emulator: String, binary: QemuBinaryIdentity?, paths: QemuInstancePaths,
                     monitor: QemuMonitor, log: QemuLogFile) {
        self.init(id: id, pid: pid, startTime: startTime, emulator: emulator, binary: binary, version: monitor.version,
                  paths: paths, log: log, isChild: true, monitor: .connected(monitor))
        monitor.setEventHandler { [weak self] notification in
            self?.handle(notification)
        }
    }

    /// The pty devices of an instance started with its monitor deferred,
    /// whose paths the driver reads once the monitor exists.
    public let deferredPtys: [QemuCommandLine.PtyDevice]

    /// An instance this process started whose monitor does not exist yet:
    /// an incoming `cpr-transfer` QEMU creates it only once the `cpr`
    /// channel has delivered its descriptors. `monitor()` connects it.
    convenience init(deferredID id: Int, pid: Int32, startTime: UInt64, emulator: String, binary: QemuBinaryIdentity?,
                     version: QemuVersion?, paths: QemuInstancePaths, log: QemuLogFile, ptys: [QemuCommandLine.PtyDevice]) {
        self.init(id: id, pid: pid, startTime: startTime, emulator: emulator, binary: binary, version: version,
                  paths: paths, log: log, isChild: true, monitor: .idle, deferredPtys: ptys)
    }

    /// An instance found again, its monitor not connected yet.
    convenience init(foundID id: Int, pid: Int32, startTime: UInt64, emulator: String, binary: QemuBinaryIdentity?,
                     version: QemuVersion?, paths: QemuInstancePaths, log: QemuLogFile) {
        self.init(id: id, pid: pid, startTime: startTime, emulator: emulator, binary: binary, version: version,
                  paths: paths, log: log, isChild: false, monitor: .idle)
    }

    private init(id: Int, pid: Int32, startTime: UInt64, emulator: String, binary: QemuBinaryIdentity?, version: QemuVersion?,
                 paths: QemuInstancePaths, log: QemuLogFile, isChild: Bool, monitor: MonitorState,
                 deferredPtys: [QemuCommandLine.PtyDevice] = []) {
        self.deferredPtys = deferredPtys
        self.id = id
        self.pid = pid
        self.startTime = startTime
        self.emulator = emulator
        self.binary = binary
        self.paths = paths
        self.log = log
        self.isChild = isChild
        self.recordedVersion = version
        self.state = Mutex(State(monitor: monitor))
    }

    /// Starts watching the process of an instance found again, so that its
    /// end is noticed without a monitor.
    /// - Returns: `.notThatProcess` when the process is no longer the one
    ///   that started at `startTime`; `.unavailable` without pidfds
    ///   (`isExitWatched` stays `false`).
    func watchExit() -> ProcessExitWatch.Outcome {
        switch ProcessExitWatch.start(pid: pid, startTime: startTime, onExit: { [weak self] in self?.markExited() }) {
        case .notThatProcess:
            return .notThatProcess
        case .unavailable:
            return .unavailable
        case .watching(let watch):
            let keep = state.withLock { s -> Bool in
                guard !s.exited else { return false }
                s.exitWatch = watch
                return true
            }
            if !keep { watch.cancel() }
            return .watching
        }
    }

    /// Whether the end of the process is noticed without a monitor
    /// connection (a child is reaped; a process found again is watched).
    public var isExitWatched: Bool { isChild || state.withLock { $0.exitWatch != nil } }

    // MARK: the monitor

    /// The monitor, connected now if it is not yet (an instance found
    /// again). Concurrent callers share one connection; the reconnect
    /// handler has run before any of them gets it.
    ///
    /// Errors: the connection's (QEMU does not answer), or the reason the
    /// monitor was closed (the process ended, the driver let go of it).
    ///
    /// libvirt: `qemuProcessReconnect` → `qemuConnectMonitor`, here on
    /// first use instead of at the driver's start.
    public func monitor() async throws(QemuMonitorError) -> QemuMonitor {
        enum Next {
            case ready(QemuMonitor)
            case wait(Task<Result<QemuMonitor, QemuMonitorError>, Never>)
            case fail(QemuMonitorError)
        }
        let next = state.withLock { s -> Next in
            switch s.monitor {
            case .connected(let m): return .ready(m)
            case .connecting(let t), .catchingUp(let t, _): return .wait(t)
            case .closed(let reason): return .fail(reason)
            case .idle:
                let t = Task { await self.connect() }
                s.monitor = .connecting(t)
                return .wait(t)
            }
        }
        switch next {
        case .ready(let m): return m
        case .fail(let reason): throw reason
        case .wait(let t): return try await t.value.get()
        }
    }

    /// Connects, lets the reconnect handler catch up, then hands the
    /// monitor out (or closes it, if the instance was let go meanwhile).
    private func connect() async -> Result<QemuMonitor, QemuMonitorError> {
        let (pid, startTime) = (self.pid, self.startTime)
        let m: QemuMonitor
        do {
            m = try await QemuMonitor.connect(path: paths.monitor, timeout: .seconds(10), processAlive: {
                ProcStat.read(pid).map { $0.startTime == startTime && $0.state != "Z" && $0.state != "X" } ?? false
            })
        } catch {
            // A later call may try again (unless the instance was closed).
            state.withLock { s in
                if case .connecting = s.monitor { s.monitor = .idle }
            }
            return .failure(error)
        }
        m.setEventHandler { [weak self] notification in
            self?.handle(notification)
        }
        let handler = state.withLock { s -> (@Sendable (QemuMonitor) async -> Void)?? in
            guard case .connecting(let t) = s.monitor else { return .none }
            s.monitor = .catchingUp(t, m)
            return .some(s.reconnectHandler)
        }
        guard let handler else {
            m.close()
            return .failure(closeReason ?? .monitorClosed)
        }
        if let handler { await handler(m) }
        let reason = state.withLock { s -> QemuMonitorError? in
            guard case .catchingUp = s.monitor else {
                if case .closed(let r) = s.monitor { return r }
                return .monitorClosed
            }
            s.monitor = .connected(m)
            return nil
        }
        if let reason {
            m.close()
            return .failure(reason)
        }
        return .success(m)
    }

    /// Runs `handler` once the monitor of an instance found again is
    /// connected, before any caller of `monitor()` gets it: the driver
    /// catches up with what QEMU did while no driver watched it.
    ///
    /// libvirt: the `qemuProcessUpdateState` step of `qemuProcessReconnect`.
    public func setReconnectHandler(_ handler: (@Sendable (QemuMonitor) async -> Void)?) {
        state.withLock { $0.reconnectHandler = handler }
    }

    /// The monitor if it is connected, without connecting it.
    public var connectedMonitor: QemuMonitor? {
        state.withLock { s in
            switch s.monitor {
            case .connected(let m), .catchingUp(_, let m): return m
            default: return nil
            }
        }
    }

    /// Whether the driver holds a monitor connection to this QEMU.
    public var isMonitorConnected: Bool { connectedMonitor != nil }

    /// Whether the monitor is over: closed, or connected and then lost.
    public var isMonitorClosed: Bool {
        state.withLock { s in
            switch s.monitor {
            case .closed: return true
            case .connected(let m), .catchingUp(_, let m): return m.isClosed
            default: return false
            }
        }
    }

    /// Why the monitor is over, `nil` while it is usable.
    private var closeReason: QemuMonitorError? {
        state.withLock { s in
            switch s.monitor {
            case .closed(let r): return r
            case .connected(let m), .catchingUp(_, let m): return m.closeReason
            default: return nil
            }
        }
    }

    /// Closes the monitor connection, if there is one, and refuses new
    /// ones. Idempotent.
    public func closeMonitor() {
        closeMonitor(reason: .monitorClosed)
    }

    private func closeMonitor(reason: QemuMonitorError) {
        let open = state.withLock { s -> QemuMonitor? in
            switch s.monitor {
            case .closed: return nil
            case .connected(let m), .catchingUp(_, let m):
                s.monitor = .closed(m.closeReason ?? reason)
                return m
            case .idle, .connecting:
                s.monitor = .closed(reason)
                return nil
            }
        }
        open?.close()
    }

    /// The driver lets go of the process (it keeps running): the monitor
    /// is closed and its end no longer watched, for the next driver.
    public func detach() {
        let watch = state.withLock { s -> ProcessExitWatch? in
            defer { s.exitWatch = nil }
            return s.exitWatch
        }
        watch?.cancel()
        closeMonitor()
    }

    /// The QEMU this instance really runs: what its monitor announced (the
    /// `query-version` reply, in the QMP greeting), or for an instance found
    /// again and not connected yet what its status file recorded (`nil`:
    /// a status file of an older driver, which did not).
    public var version: QemuVersion? { connectedMonitor?.version ?? recordedVersion }

    // MARK: the process

    /// Whether the process is gone.
    public var hasExited: Bool { state.withLock { $0.exited } }

    /// How a child process ended (`waitpid` status), once it has.
    public var exitStatus: Int32? { state.withLock { $0.exitStatus } }

    /// Runs `handler` once when the process has exited (at once if it has).
    public func onExit(_ handler: @escaping @Sendable () -> Void) {
        let already = state.withLock { s -> Bool in
            if s.exited { return true }
            s.exitHandlers.append(handler)
            return false
        }
        if already { handler() }
    }

    /// Receives QEMU's events (STOP, RESUME, SHUTDOWN, MIGRATION, ...) on
    /// the monitor's reader thread, once a monitor is connected. Keep it short.
    public func setEventHandler(_ handler: (@Sendable (QemuMonitorEvent) -> Void)?) {
        state.withLock { $0.eventHandler = handler }
    }

    /// Waits until the process has exited, at most `timeout`.
    /// - Returns: whether it has exited.
    public func waitForExit(timeout: Duration) async -> Bool {
        await VirTime.poll(timeout: timeout) { hasExited }
    }

    func markExited(status: Int32? = nil) {
        // What QEMU wrote to its monitor before it ended (a SHUTDOWN event
        // when its guest powered off) is still in the socket: the reader
        // delivers it before it reads the end of the file, which comes at
        // once, the process being gone (libvirt acts on the monitor's EOF,
        // after every event).
        if let m = connectedMonitor {
            let deadline = ContinuousClock.now + .seconds(1)
            while !m.isClosed && ContinuousClock.now < deadline { usleep(1000) }
        }
        let (handlers, watch) = state.withLock { s -> ([@Sendable () -> Void], ProcessExitWatch?) in
            if s.exited { return ([], nil) }
            s.exited = true
            s.exitStatus = status
            s.eventHandler = nil
            s.reconnectHandler = nil
            let h = s.exitHandlers
            s.exitHandlers = []
            defer { s.exitWatch = nil }
            return (h, s.exitWatch)
        }
        watch?.cancel()
        closeMonitor(reason: .endOfFile)
        for h in handlers { h() }
        state.withLock { $0.exitHandled = true }
    }

    /// Waits until the process has exited and the driver has dealt with it
    /// (every `onExit` handler has returned), at most `timeout`: an API call
    /// that reports "QEMU exited" returns once the clean-up is done.
    /// - Returns: whether the exit was handled in time.
    public func waitForExitHandled(timeout: Duration) async -> Bool {
        await VirTime.poll(timeout: timeout) { state.withLock { $0.exitHandled } }
    }

    private func handle(_ notification: QemuMonitorNotification) {
        switch notification {
        case .event(let event):
            let handler = state.withLock { $0.eventHandler }
            handler?(event)
        case .closed(nil):
            break  // the driver closed the connection; QEMU runs on
        case .closed(_?):
            // QEMU closed the monitor: it is exiting. A child is reaped by
            // its waiter, a watched process noticed by its watch; any other
            // process found again is polled until it is gone.
            guard !isExitWatched else { return }
            let pid = self.pid, startTime = self.startTime
            Thread.detachNewThread { [weak self] in
                // Gone, a zombie, or its pid now another process's.
                while let now = ProcStat.read(pid), now.startTime == startTime, now.state != "Z", now.state != "X" {
                    usleep(2_000)
                }
                self?.markExited()
            }
        }
    }
}
