import Foundation
import Glibc

/// A temporary driver root for one test: a short path (UNIX socket paths
/// must fit in 107 bytes), removed at the end together with any QEMU
/// process still running under it, so that a failing test leaves nothing
/// behind.
public final class TestRoot: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "t") {
        var template = Array("/tmp/lm-\(label.prefix(8))-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buf -> String? in
            guard let base = buf.baseAddress, mkdtemp(base) != nil else { return nil }
            return String(cString: base)
        }
        path = made ?? "/tmp/lm-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A root at `path` (created if missing), for a test that needs it in
    /// a place of its choosing; whoever made the place removes it.
    public init(existing path: String) {
        self.path = path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// `qemu:///embed?root=PATH`.
    public var uri: String { "qemu:///embed?root=\(path)" }

    /// Kills every process whose command line mentions the root, waits
    /// (generously) until they are gone, then removes the root.
    ///
    /// - Returns: what the test left behind that cleaning up could not
    ///   undo, for the test to assert empty: a process still alive, a
    ///   driver of this process still holding the root's lock (a driver not
    ///   closed goes on acting on the root's processes), the root itself.
    @discardableResult
    public func cleanup() -> [String] {
        var left: [String] = []
        for pid in Self.processes(mentioning: path) {
            kill(pid, SIGKILL)
        }
        if !Wait.untilBlocking({ Self.processes(mentioning: path).isEmpty }) {
            left += Self.processes(mentioning: path).map { "process \($0) still runs" }
        }
        if driverLockHeld() {
            left.append("a driver of this process still holds \(path)/run/qemu/driver.lock")
        }
        do {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        } catch {
            left.append("cannot remove \(path): \(error)")
        }
        return left
    }

    /// Whether an open file description holds the root's driver lock (the
    /// lock is `flock`, which another open of the file in this same process
    /// does not share).
    func driverLockHeld() -> Bool {
        let fd = open(path + "/run/qemu/driver.lock", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK
    }

    deinit { _ = cleanup() }

    /// Live processes (not zombies) whose command line contains `text`.
    public static func processes(mentioning text: String) -> [pid_t] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { e -> pid_t? in
            guard let pid = pid_t(e), pid != getpid(),
                  let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty,
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")"),
                  stat[stat.index(after: close)...].dropFirst().first != "Z" else { return nil }
            let cmd = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return cmd.contains(text) ? pid : nil
        }
    }

    /// Files and directories under a path, relative, sorted.
    public func files(under relative: String) -> [String] {
        let base = path + "/" + relative
        guard let e = FileManager.default.enumerator(atPath: base) else { return [] }
        return (e.allObjects as? [String] ?? []).sorted()
    }
}
