import Glibc
import libvirt_abi

/// Reading the few files the CPU driver reads: the CPU map and /proc.
enum HostFile {
    /// The file's content, up to `limit` bytes (more is an error when
    /// `truncate` is false, dropped when it is true: a header read).
    ///
    /// libvirt: `virFileReadAll`, `virFileReadHeaderQuiet`.
    static func read(_ path: String, limit: Int, truncate: Bool = false) throws(VirError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw VirError.system(errno, "Failed to open file '\(path)'", domain: .cpu) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        var used = 0
        while true {
            if used == bytes.count {
                if used >= limit + 1 { break }
                bytes.append(contentsOf: repeatElement(0, count: min(bytes.count, limit + 1 - used)))
            }
            let n = bytes.withUnsafeMutableBytes { b in
                Glibc.read(fd, b.baseAddress.map { $0 + used }, b.count - used)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw VirError.system(errno, "Failed to read file '\(path)'", domain: .cpu)
            }
            if n == 0 { break }
            used += n
        }
        if used > limit {
            guard truncate else {
                throw VirError(.internalError, "File '\(path)' is larger than \(limit) bytes", domain: .cpu)
            }
            used = limit
        }
        bytes.removeLast(bytes.count - used)
        return bytes
    }

    /// The file as text (invalid UTF-8 repaired).
    static func readText(_ path: String, limit: Int, truncate: Bool = false) throws(VirError) -> String {
        String(decoding: try read(path, limit: limit, truncate: truncate), as: UTF8.self)
    }
}
