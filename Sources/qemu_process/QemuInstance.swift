import virutil
import Foundation
import Glibc
import Synchronization
import qemu_capabilities
import qemu_monitor

/// One running QEMU process of a domain: its id, pid, paths, and the one QMP
/// connection the driver keeps to it. Notices when the process goes away,
/// whether the driver started it (and reaps it) or reconnected to it.
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
    public let monitor: QemuMonitor
    public let log: QemuLogFile
    /// Started by this process (which reaps it), or found again.
    public let isChild: Bool

    private struct State {
        var exited = false
        /// Every exit handler has run.
        var exitHandled = false
        var exitStatus: Int32?
        var exitHandlers: [@Sendable () -> Void] = []
        var eventHandler: (@Sendable (QemuMonitorEvent) -> Void)?
    }
    private let state = Mutex(State())

    init(id: Int, pid: Int32, startTime: UInt64, emulator: String, binary: QemuBinaryIdentity?, paths: QemuInstancePaths,
         monitor: QemuMonitor, log: QemuLogFile, isChild: Bool) {
        self.id = id
        self.pid = pid
        self.startTime = startTime
        self.emulator = emulator
        self.binary = binary
        self.paths = paths
        self.monitor = monitor
        self.log = log
        self.isChild = isChild
        monitor.setEventHandler { [weak self] notification in
            self?.handle(notification)
        }
    }

    /// The QEMU this instance really runs, as its monitor announced it
    /// (the `query-version` reply, in the QMP greeting).
    public var version: QemuVersion { monitor.version }

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
    /// the monitor's reader thread. Keep it short.
    public func setEventHandler(_ handler: (@Sendable (QemuMonitorEvent) -> Void)?) {
        state.withLock { $0.eventHandler = handler }
    }

    /// Waits until the process has exited, at most `timeout`.
    /// - Returns: whether it has exited.
    public func waitForExit(timeout: Duration) async -> Bool {
        await VirTime.poll(timeout: timeout) { hasExited }
    }

    func markExited(status: Int32? = nil) {
        let handlers = state.withLock { s -> [@Sendable () -> Void] in
            if s.exited { return [] }
            s.exited = true
            s.exitStatus = status
            s.eventHandler = nil
            let h = s.exitHandlers
            s.exitHandlers = []
            return h
        }
        monitor.close()
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
            // its waiter; a process found again is polled until it is gone.
            guard !isChild else { return }
            let pid = self.pid
            Thread.detachNewThread { [weak self] in
                while ProcStat.isRunning(pid) { usleep(2_000) }
                self?.markExited()
            }
        }
    }
}
