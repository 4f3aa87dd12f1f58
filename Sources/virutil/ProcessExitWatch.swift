import CGlibc
import Foundation
import Glibc
import Synchronization

/// Notices the end of a process that is not a child of this one (a QEMU
/// found again from its status file), without a connection to it and
/// without polling: Linux's pidfd, which becomes readable when the process
/// exits, in one epoll set that one thread of the process waits on.
///
/// libvirt learns that a QEMU it found again has gone from its monitor's
/// EOF (`qemuProcessHandleMonitorEOF`), which needs a monitor connection to
/// every instance; a driver that opens monitors only when a command needs
/// them watches the processes this way instead. A watch costs a pidfd and
/// one `epoll_ctl`: a short-lived command that watches a hundred guests
/// barely notices.
public final class ProcessExitWatch: Sendable {
    public let pid: pid_t
    private let token: UInt64
    private let watcher: ExitWatcher

    private init(pid: pid_t, token: UInt64, watcher: ExitWatcher) {
        self.pid = pid
        self.token = token
        self.watcher = watcher
    }

    /// What starting a watch came to.
    public enum Start: Sendable {
        case watching(ProcessExitWatch)
        /// The pid is not the process that started at that time (it ended,
        /// or another process has the pid now).
        case notThatProcess
        /// No pidfd (kernel or C library without them, or no descriptor
        /// left): the process's end must be noticed another way.
        case unavailable
    }

    /// Watches process `pid`, which must be the process that started at
    /// `startTime` (/proc/PID/stat): the start time is checked once the
    /// pidfd holds the process, so that a pid reused by another process is
    /// never watched in its place. `onExit` runs once, on the watch thread,
    /// when the process exits (soon after the watch starts if it dies in
    /// between). Keep it short: the thread serves every watch.
    public static func start(pid: pid_t, startTime: UInt64, onExit: @escaping @Sendable () -> Void) -> Start {
        guard pid > 0 else { return .notThatProcess }
        guard let watcher = ExitWatcher.shared else { return .unavailable }
        let fd = pidfd_open(pid, 0)
        guard fd >= 0 else { return errno == ESRCH ? .notThatProcess : .unavailable }  // ENOSYS, EMFILE: no watch
        // The pidfd now names one process whatever happens to the pid.
        guard let stat = ProcStat.read(pid), stat.startTime == startTime, stat.state != "Z", stat.state != "X" else {
            Glibc.close(fd)
            return .notThatProcess
        }
        guard let token = watcher.add(fd: fd, onExit: onExit) else { return .unavailable }
        return .watching(ProcessExitWatch(pid: pid, token: token, watcher: watcher))
    }

    /// What `start` came to, without the watch.
    public enum Outcome: Sendable {
        case watching
        case notThatProcess
        case unavailable
    }

    /// `start`, the watch or `nil`.
    public static func watch(pid: pid_t, startTime: UInt64, onExit: @escaping @Sendable () -> Void) -> ProcessExitWatch? {
        if case .watching(let w) = start(pid: pid, startTime: startTime, onExit: onExit) { return w }
        return nil
    }

    /// Whether pidfds work here (Linux 5.3 or later).
    public static let isSupported: Bool = {
        let fd = pidfd_open(getpid(), 0)
        guard fd >= 0 else { return false }
        Glibc.close(fd)
        return ExitWatcher.shared != nil
    }()

    /// Stops watching; the exit handler will not run (unless it already
    /// runs). Idempotent.
    public func cancel() {
        _ = watcher.remove(token)
    }

    deinit { cancel() }
}

/// The epoll set of every watch and the thread that waits on it. Entries
/// are keyed by a token that is never reused, not by descriptor: an event
/// for a watch cancelled meanwhile (its descriptor closed, its number given
/// to a new pidfd) finds no entry and is dropped.
private final class ExitWatcher: Sendable {
    static let shared: ExitWatcher? = {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        return fd >= 0 ? ExitWatcher(epoll: fd) : nil
    }()

    struct Entry: Sendable {
        let fd: Int32
        let onExit: @Sendable () -> Void
    }
    struct Table {
        var next: UInt64 = 1
        var entries: [UInt64: Entry] = [:]
        var threadStarted = false
    }
    private let epoll: Int32
    private let table = Mutex(Table())

    private init(epoll: Int32) {
        self.epoll = epoll
    }

    /// Adds a pidfd; its token, or `nil` (the descriptor closed) when epoll
    /// refuses it.
    func add(fd: Int32, onExit: @escaping @Sendable () -> Void) -> UInt64? {
        let (token, startThread) = table.withLock { t -> (UInt64?, Bool) in
            let token = t.next
            var event = epoll_event()
            event.events = EPOLLIN.rawValue
            event.data.u64 = token
            guard epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0 else { return (nil, false) }
            t.next += 1
            t.entries[token] = Entry(fd: fd, onExit: onExit)
            defer { t.threadStarted = true }
            return (token, !t.threadStarted)
        }
        guard let token else {
            Glibc.close(fd)
            return nil
        }
        if startThread {
            Thread.detachNewThread { [self] in run() }
        }
        return token
    }

    /// Removes a watch and closes its pidfd; its entry if it was there.
    func remove(_ token: UInt64) -> Entry? {
        table.withLock { t -> Entry? in
            guard let e = t.entries.removeValue(forKey: token) else { return nil }
            // Closing the descriptor takes it out of the epoll set.
            Glibc.close(e.fd)
            return e
        }
    }

    private func run() {
        var events = [epoll_event](repeating: epoll_event(), count: 64)
        while true {
            let n = events.withUnsafeMutableBufferPointer { epoll_wait(epoll, $0.baseAddress, Int32($0.count), -1) }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            for i in 0..<Int(n) {
                if let e = remove(events[i].data.u64) { e.onExit() }
            }
        }
    }
}
