import CGlibc
import Glibc

/// Signals that reach the process meant and no other: through a pidfd,
/// which names one process for as long as it is open, taken once the
/// process is known to be the one meant (its start time, or its own child
/// not reaped yet), so that a pid the kernel gave to a new process since is
/// never signalled.
///
/// libvirt: `virProcessKill` (which uses the bare pid); the checks are the
/// series' own.
public enum VirProcess {
    /// Sends `signal` to `pid` if it is still the process that started at
    /// `startTime` (clock ticks since boot, /proc/PID/stat).
    ///
    /// - Returns: whether the signal was sent.
    @discardableResult
    public static func signal(_ pid: pid_t, startTime: UInt64, _ signal: Int32) -> Bool {
        guard pid > 0 else { return false }
        let fd = pidfd_open(pid, 0)
        guard fd >= 0 else {
            // No pidfds (Linux before 5.3): the start time, checked just before.
            guard errno != ESRCH, ProcStat.read(pid)?.startTime == startTime else { return false }
            return Glibc.kill(pid, signal) == 0
        }
        defer { close(fd) }
        guard ProcStat.read(pid)?.startTime == startTime else { return false }
        return pidfd_send_signal(fd, signal, nil, 0) == 0
    }

    /// A caller's own child, held from its spawn until the caller lets go,
    /// whether or not a reaper has reaped it meanwhile.
    public struct Child: ~Copyable, Sendable {
        public let pid: pid_t
        private let fd: Int32

        /// Takes hold of `pid`, a child of the caller that nobody can have
        /// reaped yet (call it before starting the reaper).
        public init(_ pid: pid_t) {
            self.pid = pid
            fd = pidfd_open(pid, 0)
        }

        /// Sends `signal`, unless the child is gone (reaped: its pid may
        /// be another process's now).
        @discardableResult
        public func signal(_ signal: Int32) -> Bool {
            guard fd >= 0 else { return Glibc.kill(pid, signal) == 0 }
            return pidfd_send_signal(fd, signal, nil, 0) == 0
        }

        deinit { if fd >= 0 { close(fd) } }
    }
}
