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

    /// `qemu:///embed?root=PATH`.
    public var uri: String { "qemu:///embed?root=\(path)" }

    /// Kills every process whose command line mentions the root, then
    /// removes the root.
    public func cleanup() {
        for pid in Self.processes(mentioning: path) {
            kill(pid, SIGKILL)
        }
        let deadline = Date().addingTimeInterval(5)
        while !Self.processes(mentioning: path).isEmpty && Date() < deadline { usleep(10_000) }
        try? FileManager.default.removeItem(atPath: path)
    }

    deinit { cleanup() }

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
