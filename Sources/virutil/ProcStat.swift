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
    /// Resident set size in pages (field 24).
    public let residentPages: UInt64
    /// The CPU it last ran on (field 39), -1 if /proc did not say.
    public let processor: Int32

    /// The resident set size in KiB.
    ///
    /// libvirt: `virProcessGetStatInfo` (`vm_rss`).
    public var residentKiB: UInt64 { residentPages * UInt64(max(sysconf(Int32(_SC_PAGESIZE)), 1)) / 1024 }

    /// User and kernel CPU time in nanoseconds.
    public var userNanoseconds: UInt64 { userTicks * 1_000_000_000 / Self.ticksPerSecond }
    public var systemNanoseconds: UInt64 { systemTicks * 1_000_000_000 / Self.ticksPerSecond }
    static var ticksPerSecond: UInt64 { UInt64(max(sysconf(Int32(_SC_CLK_TCK)), 1)) }

    /// User plus system CPU time, in nanoseconds.
    ///
    /// libvirt: `virProcessGetStatInfo`.
    public var cpuTimeNanoseconds: UInt64 {
        (userTicks + systemTicks) * 1_000_000_000 / Self.ticksPerSecond
    }

    /// The one reader of /proc/PID/stat. `nil`: no such process (or not
    /// one /proc describes), which is an answer, not a failure.
    ///
    /// Plain reads into bytes, no Foundation: a driver opening a root reads
    /// this for every running guest.
    ///
    /// libvirt: `virProcessGetStartTime`, `virProcessGetStatInfo`.
    public static func read(_ pid: pid_t) -> ProcStat? {
        guard pid > 0 else { return nil }
        return read(path: "/proc/\(pid)/stat")
    }

    /// One thread of a process (`/proc/PID/task/TID/stat`): a vCPU.
    public static func read(_ pid: pid_t, thread tid: pid_t) -> ProcStat? {
        guard pid > 0, tid > 0 else { return nil }
        return read(path: "/proc/\(pid)/task/\(tid)/stat")
    }

    private static func read(path: String) -> ProcStat? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        // One read into the stack: the line is a few hundred bytes (the
        // command name at most 64).
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 1024) { buffer -> ProcStat? in
            var n = 0
            repeat { n = Glibc.read(fd, buffer.baseAddress, buffer.count) } while n < 0 && errno == EINTR
            guard n > 0 else { return nil }
            return parse(UnsafeBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// The fields of a /proc/PID/stat line, without copying it.
    static func parse(_ line: UnsafeBufferPointer<UInt8>) -> ProcStat? {
        guard let close = line.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // Fields after the command name, which may hold spaces and ')':
        // state is field 3, utime 14, stime 15, starttime 22, rss 24,
        // processor 39.
        typealias Field = Slice<UnsafeBufferPointer<UInt8>>
        var stateField: Field?, userField: Field?, systemField: Field?, startField: Field?, rssField: Field?, cpuField: Field?
        var field = 2, i = close + 1
        while i < line.count && field < 39 {
            while i < line.count && line[i] == UInt8(ascii: " ") { i += 1 }
            let begin = i
            while i < line.count && line[i] != UInt8(ascii: " ") && line[i] != UInt8(ascii: "\n") { i += 1 }
            field += 1
            switch field {
            case 3: stateField = line[begin..<i]
            case 14: userField = line[begin..<i]
            case 15: systemField = line[begin..<i]
            case 22: startField = line[begin..<i]
            case 24: rssField = line[begin..<i]
            case 39: cpuField = line[begin..<i]
            default: break
            }
        }
        guard let state = stateField?.first, let start = startField.flatMap(number), let user = userField.flatMap(number),
              let system = systemField.flatMap(number) else { return nil }
        return ProcStat(state: Character(Unicode.Scalar(state)), startTime: start, userTicks: user, systemTicks: system,
                        residentPages: rssField.flatMap(number) ?? 0,
                        processor: cpuField.flatMap(number).flatMap { Int32(exactly: $0) } ?? -1)
    }

    /// Nanoseconds a thread waited on a run queue, from the scheduler's
    /// statistics (`se.statistics.wait_sum`, in ms, in `/proc/PID/task/TID/sched`);
    /// 0 where the kernel keeps none.
    ///
    /// libvirt: `virProcessGetSchedInfo`.
    public static func schedWait(_ pid: pid_t, thread tid: pid_t) -> UInt64 {
        guard pid > 0, tid > 0, let bytes = contents("/proc/\(pid)/task/\(tid)/sched", limit: 1 << 16) else { return 0 }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        where line.hasPrefix("se.statistics.wait_sum") || line.hasPrefix("se.wait_sum") {
            guard let colon = line.firstIndex(of: ":"),
                  let ms = Double(line[line.index(after: colon)...].drop(while: { $0 == " " })) else { return 0 }
            return UInt64(max(ms * 1_000_000, 0))
        }
        return 0
    }

    /// Nanoseconds a thread spent waiting to run: the second field of
    /// `/proc/PID/task/TID/schedstat`; 0 where it cannot be read.
    ///
    /// libvirt: `qemuGetSchedstatDelay`.
    public static func schedDelay(_ pid: pid_t, thread tid: pid_t) -> UInt64 {
        guard pid > 0, tid > 0, let bytes = contents("/proc/\(pid)/task/\(tid)/schedstat", limit: 4096) else { return 0 }
        let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        return fields.count >= 2 ? UInt64(fields[1]) ?? 0 : 0
    }

    /// The process's command line.
    public static func commandLine(_ pid: pid_t) -> [String] {
        guard pid > 0, let bytes = contents("/proc/\(pid)/cmdline", limit: 1 << 20) else { return [] }
        return bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether one argument of the process's command line contains `text`
    /// (a QEMU's monitor socket path), without making strings of it.
    public static func commandLine(_ pid: pid_t, contains text: String) -> Bool {
        let needle = Array(text.utf8)
        guard pid > 0, !needle.isEmpty, !needle.contains(0),
              let bytes = contents("/proc/\(pid)/cmdline", limit: 1 << 20) else { return false }
        // The arguments are NUL-separated and the needle has no NUL: a match
        // lies within one argument.
        return bytes.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { n in
                guard hay.count >= n.count else { return false }
                let first = n[0]
                var i = 0
                while i <= hay.count - n.count {
                    if hay[i] == first {
                        var j = 1
                        while j < n.count && hay[i + j] == n[j] { j += 1 }
                        if j == n.count { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }

    /// A /proc file's bytes, at most `limit`.
    static func contents(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes
    }

    /// A decimal number of ASCII digits.
    static func number<C: Collection<UInt8>>(_ digits: C) -> UInt64? {
        guard !digits.isEmpty else { return nil }
        var v: UInt64 = 0
        for d in digits {
            guard d >= UInt8(ascii: "0"), d <= UInt8(ascii: "9") else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            v = a
        }
        return v
    }

    /// Alive and not a zombie.
    public static func isRunning(_ pid: pid_t) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        return read(pid).map { $0.state != "Z" && $0.state != "X" } ?? false
    }
}
