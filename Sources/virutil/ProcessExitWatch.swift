import Dispatch
import Foundation
import Glibc
import Synchronization

/// Notices the end of a process that is not a child of this one (a QEMU
/// found again from its status file), without a connection to it and
/// without polling: Linux's pidfd, which becomes readable when the process
/// exits, watched by one dispatch source.
///
/// libvirt learns that a QEMU it found again has gone from its monitor's
/// EOF (`qemuProcessHandleMonitorEOF`), which needs a monitor connection to
/// every instance; a driver that opens monitors only when a command needs
/// them watches the processes this way instead.
public final class ProcessExitWatch: Sendable {
    public let pid: pid_t
    /// Dispatch sources may be cancelled from any thread; corelibs-dispatch
    /// does not say so to the compiler.
    nonisolated(unsafe) private let source: any DispatchSourceRead
    /// The exit was handled, or the watch cancelled: whichever comes first
    /// cancels the source, once.
    private let done = Atomic<Bool>(false)

    /// One queue for every watch of the process: exits are handled one at a
    /// time, in the order they come.
    private static let queue = DispatchQueue(label: "virutil.process-exit-watch")

    /// `pidfd_open(2)`, from glibc (2.36 wraps it; looked up once, so that
    /// an older C library means no watch rather than no program).
    private typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32
    private static let pidfdOpen: PidfdOpen? = {
        guard let sym = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pidfd_open") else { return nil }
        return unsafeBitCast(sym, to: PidfdOpen.self)
    }()

    private init(pid: pid_t, source: any DispatchSourceRead) {
        self.pid = pid
        self.source = source
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
    /// never watched in its place. `onExit` runs once, on the watch queue,
    /// when the process exits (soon after the watch starts if it dies in
    /// between).
    public static func start(pid: pid_t, startTime: UInt64, onExit: @escaping @Sendable () -> Void) -> Start {
        guard pid > 0 else { return .notThatProcess }
        guard let pidfdOpen else { return .unavailable }
        let fd = pidfdOpen(pid, 0)
        guard fd >= 0 else { return errno == ESRCH ? .notThatProcess : .unavailable }
        // The pidfd now names one process whatever happens to the pid.
        guard let stat = ProcStat.read(pid), stat.startTime == startTime, stat.state != "Z", stat.state != "X" else {
            Glibc.close(fd)
            return .notThatProcess
        }
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        let watch = ProcessExitWatch(pid: pid, source: source)
        source.setEventHandler { [weak watch] in
            // Readable: the process has exited. Once.
            guard let watch, watch.stop() else { return }
            onExit()
        }
        source.setCancelHandler { Glibc.close(fd) }
        source.resume()
        return .watching(watch)
    }

    /// `start`, the watch or `nil`.
    public static func watch(pid: pid_t, startTime: UInt64, onExit: @escaping @Sendable () -> Void) -> ProcessExitWatch? {
        if case .watching(let w) = start(pid: pid, startTime: startTime, onExit: onExit) { return w }
        return nil
    }

    /// Whether pidfds work here (Linux 5.3 and glibc 2.36 or later).
    public static var isSupported: Bool { pidfdOpen != nil }

    /// Stops watching; the exit handler will not run (unless it already
    /// runs). Idempotent.
    public func cancel() {
        _ = stop()
    }

    /// Cancels the source; whether this call did (the first one).
    private func stop() -> Bool {
        guard !done.exchange(true, ordering: .acquiringAndReleasing) else { return false }
        source.cancel()
        return true
    }

    deinit { cancel() }
}
