import Foundation
import Glibc

/// What /proc says about a process: used to tell whether a pid recorded in a
/// status file is still that QEMU, and not a new process that got its pid.
public struct ProcStat: Sendable, Equatable {
    /// The state letter (`R`, `S`, `Z`, ...).
    public let state: Character
    /// Start time in clock ticks since boot (field 22 of /proc/PID/stat).
    public let startTime: UInt64
    /// CPU time in user and kernel mode, in clock ticks (fields 14 and 15).
    public let userTicks: UInt64
    public let systemTicks: UInt64

    /// User plus system CPU time, in nanoseconds.
    ///
    /// libvirt: `virProcessGetStatInfo`.
    public var cpuTimeNanoseconds: UInt64 {
        let hz = UInt64(max(sysconf(Int32(_SC_CLK_TCK)), 1))
        return (userTicks + systemTicks) * 1_000_000_000 / hz
    }

    /// The one reader of /proc/PID/stat. `nil`: no such process (or not
    /// one /proc describes), which is an answer, not a failure.
    ///
    /// libvirt: `virProcessGetStartTime`, `virProcessGetStatInfo`.
    public static func read(_ pid: pid_t) -> ProcStat? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after the command name, which may hold spaces and ')'.
        let rest = text[text.index(after: close)...].split(separator: " ")
        guard rest.count > 19, let state = rest[0].first, let start = UInt64(rest[19]),
              let user = UInt64(rest[11]), let system = UInt64(rest[12]) else { return nil }
        return ProcStat(state: state, startTime: start, userTicks: user, systemTicks: system)
    }

    /// The process's command line.
    public static func commandLine(_ pid: pid_t) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return [] }
        return data.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }.filter { !$0.isEmpty }
    }

    /// Alive and not a zombie.
    public static func isRunning(_ pid: pid_t) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        return read(pid).map { $0.state != "Z" && $0.state != "X" } ?? false
    }
}
