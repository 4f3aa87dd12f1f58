import libvirt_abi
import Foundation
import Glibc
import Synchronization

/// Hands out domain ids: a counter that only grows, kept in a file under the
/// state directory so that it survives the driver's restarts (the embedded
/// driver restarts with every command). An id is never given twice while
/// the counter file lives, and never below an id found on a live instance.
///
/// libvirt: `driver->lastvmid` (src/qemu/qemu_conf.h), which libvirt keeps
/// in memory and restores from the highest id it reconnects to.
public final class QemuDomainIDAllocator: Sendable {
    public let path: String
    private let lock = Mutex(())

    public init(stateDir: String) {
        path = stateDir + "/last-domain-id"
    }

    /// The last id given out (0 when none).
    public var last: Int {
        lock.withLock { _ in (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0 }
    }

    /// A new id, greater than any given before.
    public func next() throws(VirError) -> Int {
        try update { $0 + 1 }
    }

    /// Raises the counter to at least `id` (reconnecting to an instance that
    /// has it).
    public func observe(_ id: Int) throws(VirError) {
        _ = try update { max($0, id) }
    }

    /// Reads, changes and writes the counter under an exclusive `flock`, so
    /// that two processes never get the same id.
    private func update(_ change: (Int) -> Int) throws(VirError) -> Int {
        try lock.withLock { _ throws(VirError) -> Int in
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw VirError.system(errno, "cannot open '\(path)'") }
            defer { close(fd) }
            guard flock(fd, LOCK_EX) == 0 else { throw VirError.system(errno, "cannot lock '\(path)'") }
            var buf = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buf, buf.count, 0)
            let current = n > 0 ? Int(String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 : 0
            let value = change(current)
            if value != current {
                let text = Array("\(value)\n".utf8)
                guard ftruncate(fd, 0) == 0, pwrite(fd, text, text.count, 0) == text.count, fsync(fd) == 0 else {
                    throw VirError.system(errno, "cannot write '\(path)'")
                }
            }
            return value
        }
    }
}
