import Glibc
import libvirt_abi

/// What says an emulator binary on disk is still the one that was probed:
/// its path and the file's device, inode, size and modification and
/// change times. `apt-get upgrade` writes a new file and renames it over
/// the old path, so every field but the path changes.
///
/// libvirt: the checks of `virQEMUCapsIsValid` (`ctime` of the binary;
/// this driver compares more, since a copy or a rename within one second
/// keeps the ctime's seconds).
public struct QemuBinaryIdentity: Sendable, Hashable, CustomStringConvertible {
    public let path: String
    public let device: UInt64
    public let inode: UInt64
    public let size: Int64
    /// Nanoseconds since the epoch.
    public let modified: Int64
    public let changed: Int64

    public init(path: String, device: UInt64, inode: UInt64, size: Int64, modified: Int64, changed: Int64) {
        self.path = path
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.changed = changed
    }

    /// The identity of the file at `path` now (symbolic links followed, as
    /// `exec` follows them).
    public static func of(_ path: String) throws(VirError) -> QemuBinaryIdentity {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw VirError.system(errno, "Cannot check QEMU binary \(path)")
        }
        return QemuBinaryIdentity(path: path, device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
                                  modified: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                                  changed: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec))
    }

    public var description: String {
        "\(path) (dev \(device), inode \(inode), \(size) bytes, mtime \(modified), ctime \(changed))"
    }
}
