import Foundation
import Glibc
import libvirt_abi

/// Removing files and trees the driver owns, where "already gone" is
/// success and anything else is an error worded as libvirt words it.
///
/// libvirt: `virFileRemove`, `virFileDeleteTree` (src/util/virfile.c).
public enum VirFile {
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
