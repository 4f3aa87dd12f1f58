import Glibc
import libvirt_abi

/// Whole-file replacement that readers never see half done.
///
/// libvirt: `virFileRewrite` (src/util/virfile.c).
public enum AtomicFile {
    /// - Parameter durable: fsync before the rename, so that the new content
    ///   survives a crash of the host (configuration files need it).
    public static func write(_ text: String, to path: String, mode: mode_t = 0o600, durable: Bool = true) throws(VirError) {
        let tmp = path + ".new"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw VirError.system(errno, "cannot create file '\(tmp)'") }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let err = errno
                close(fd)
                unlink(tmp)
                throw VirError.system(err, "cannot write data to file '\(tmp)'")
            }
            written += n
        }
        if (durable && fsync(fd) != 0) || close(fd) != 0 {
            let err = errno
            unlink(tmp)
            throw VirError.system(err, "cannot sync file '\(tmp)'")
        }
        if rename(tmp, path) != 0 {
            let err = errno
            unlink(tmp)
            throw VirError.system(err, "cannot rename file '\(tmp)' as '\(path)'")
        }
    }
}
