import libvirt_abi
import Glibc

/// What the host offers QEMU.
///
/// libvirt: `virQEMUCapsKVMUsable`, `virQEMUCapsCacheLookup` (binary checks).
public enum QemuHost {
    /// `/dev/kvm` can be opened for reading and writing.
    public static var kvmUsable: Bool {
        let fd = open("/dev/kvm", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }

    /// Fails as libvirt does when the emulator binary is missing or not
    /// executable.
    public static func checkEmulator(_ path: String) throws(VirError) {
        if access(path, F_OK) != 0 {
            throw VirError.system(errno, "Cannot check QEMU binary \(path)")
        }
        if access(path, X_OK) != 0 {
            throw VirError.system(errno, "QEMU binary \(path) is not executable")
        }
    }
}
