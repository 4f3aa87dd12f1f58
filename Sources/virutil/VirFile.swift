import Foundation
import Glibc
import libvirt_abi

/// Reading, and removing, files and trees the driver owns, where "already
/// gone" is success for a removal and anything else is an error worded as
/// libvirt words it.
///
/// libvirt: `virFileReadAll`, `virFileRemove`, `virFileDeleteTree` (src/util/virfile.c).
public enum VirFile {
    /// The whole content of a file the driver wrote, at most `limit` bytes,
    /// with plain reads (a driver opening a root reads one for every
    /// running guest); never through a symbolic link.
    ///
    /// libvirt: `virFileReadAll`.
    public static func readAll(_ path: String, limit: Int) throws(VirError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw VirError.system(errno, "Failed to open file '\(path)'") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw VirError.system(errno, "Failed to read file '\(path)'") }
        guard st.st_size <= limit else { throw VirError(.internalError, "File '\(path)' is larger than \(limit) bytes") }
        // Sized by fstat: a file the driver wrote is read at once, the
        // next read says it ended; a file that grew meanwhile gets more room.
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size) + 1)
        var used = 0
        while true {
            if used == bytes.count {
                guard used <= limit else { throw VirError(.internalError, "File '\(path)' is larger than \(limit) bytes") }
                bytes.append(contentsOf: repeatElement(0, count: max(4096, used)))
            }
            let n = bytes.withUnsafeMutableBytes { b in
                Glibc.read(fd, b.baseAddress.map { $0 + used }, b.count - used)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw VirError.system(errno, "Failed to read file '\(path)'")
            }
            if n == 0 { break }
            used += n
        }
        guard used <= limit else { throw VirError(.internalError, "File '\(path)' is larger than \(limit) bytes") }
        bytes.removeLast(bytes.count - used)
        return bytes
    }

    /// A guest's pty, opened for reading and writing without becoming the
    /// caller's controlling terminal, non-blocking, in raw mode.
    ///
    /// libvirt: `virFDStreamOpenPTY` (as `virChrdevOpen` calls it).
    public static func openPTY(_ path: String) throws(VirError) -> Int32 {
        let fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw VirError.system(errno, "Unable to open '\(path)'") }
        var t = termios()
        if tcgetattr(fd, &t) == 0 {
            cfmakeraw(&t)
            _ = tcsetattr(fd, TCSADRAIN, &t)
        }
        return fd
    }

    /// Removes a file or a symbolic link (not what it points to).
    public static func remove(_ path: String) throws(VirError) {
        if unlink(path) != 0 && errno != ENOENT {
            throw VirError.system(errno, "Unable to delete file \(path)")
        }
    }

    /// Removes a directory and everything in it.
    public static func deleteTree(_ path: String) throws(VirError) {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return }
            throw VirError.system(errno, "Cannot access '\(path)'")
        }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            let err = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.code ?? Int(EIO)
            if err == Int(ENOENT) { return }
            throw VirError.system(Int32(err), "Cannot delete directory '\(path)'")
        }
    }
}
