import Foundation
import Glibc

/// What /proc says about a process: used to tell whether a pid recorded in a
/// status file is still that QEMU, and not a new process that got its pid.
public struct ProcStat: Sendable, Equatable {
    /// The state letter (`R`, `S`, `Z`, ...).
    public let state: Character
    /// Start time in clock ticks since boot (field 22 of /proc/PID/stat).
    public let startTime: UInt64

    /// libvirt: `virProcessGetStartTime`.
    public static func read(_ pid: pid_t) -> ProcStat? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // Fields after the command name, which may hold spaces and ')'.
        let rest = text[text.index(after: close)...].split(separator: " ")
        guard rest.count > 19, let state = rest[0].first, let start = UInt64(rest[19]) else { return nil }
        return ProcStat(state: state, startTime: start)
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
