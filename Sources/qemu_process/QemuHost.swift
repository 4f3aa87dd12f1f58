import libvirt_abi
import Glibc

/// What the host offers QEMU.
///
/// libvirt: `virQEMUCapsKVMUsable`.
public enum QemuHost {
    /// `/dev/kvm` can be opened for reading and writing.
    public static var kvmUsable: Bool {
        let fd = open("/dev/kvm", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }
}
