import Glibc
import libvirt_abi

/// Whole-file replacement that readers never see half done.
///
/// The new content goes to a temporary file of a unique name beside the
/// target, created exclusively (`mkstemp`: never through a symbolic link,
/// never shared by two writers), then renamed over the target.
///
/// libvirt: `virFileRewrite` (src/util/virfile.c).
public enum AtomicFile {
    /// - Parameter durable: fsync the file before the rename and its
    ///   directory after it, so that the new content survives a crash of
    ///   the host (configuration files need it).
    public static func write(_ text: String, to path: String, mode: mode_t = 0o600, durable: Bool = true) throws(VirError) {
        try write(bytes: Array(text.utf8), to: path, mode: mode, durable: durable)
    }

    /// The same for bytes (a firmware variable store copied from its template).
    public static func write(bytes: [UInt8], to path: String, mode: mode_t = 0o600, durable: Bool = true) throws(VirError) {
        var template = Array((path + ".XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw VirError.system(errno, "cannot create temporary file for '\(path)'") }
        let tmp = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        func fail(_ message: String) -> VirError {
            let err = errno
            close(fd)
            unlink(tmp)
            return VirError.system(err, message)
        }
        guard fchmod(fd, mode) == 0 else { throw fail("cannot set the mode of '\(tmp)'") }
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail("cannot write data to file '\(tmp)'")
            }
            written += n
        }
        if durable && fsync(fd) != 0 { throw fail("cannot sync file '\(tmp)'") }
        if close(fd) != 0 {
            let err = errno
            unlink(tmp)
            throw VirError.system(err, "cannot close file '\(tmp)'")
        }
        if rename(tmp, path) != 0 {
            let err = errno
            unlink(tmp)
            throw VirError.system(err, "cannot rename file '\(tmp)' as '\(path)'")
        }
        if durable { syncDirectory(of: path) }
    }

    /// fsync of the directory that holds `path`, so that a rename in it is
    /// on disk; a filesystem that cannot sync directories is not an error.
    static func syncDirectory(of path: String) {
        let dir = path.lastIndex(of: "/").map { String(path[..<$0]) }.flatMap { $0.isEmpty ? "/" : $0 } ?? "."
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }
}
