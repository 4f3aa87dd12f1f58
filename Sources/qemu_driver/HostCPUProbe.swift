import Foundation
import Glibc
import cpu_x86
import libvirt_abi
import virutil

/// Reads what capabilities says of the host CPU.
///
/// libvirt: `virQEMUCapsProbeHostCPU` / `virCPUProbeHost`
/// (src/cpu/cpu.c), and `virHostCPUGetKVMMaxVCPUs` (src/util/virhostcpu.c).
enum HostCPUProbe {
    /// The host CPU as libvirt's CPU map names it; only the architecture
    /// when the map cannot be read (libvirt then has no host CPU model
    /// either), with a warning.
    static func probe() -> VirCPUDef {
        do {
            return try VirCPUDef.host()
        } catch {
            DriverLog.logger("qemu_driver").warning("cannot describe the host CPU: \(error)")
            return VirCPUDef(arch: VirCPUDef.hostArch)
        }
    }

    /// `KVM_CHECK_EXTENSION` (`_IO(KVMIO, 0x03)`) and the two capabilities
    /// that say how many vCPUs a VM may have.
    static let kvmCheckExtension: UInt = 0xAE03
    static let kvmCapNrVcpus: Int32 = 9
    static let kvmCapMaxVcpus: Int32 = 66

    /// KVM's most vCPUs per VM: `KVM_CAP_MAX_VCPUS`, else the recommended
    /// `KVM_CAP_NR_VCPUS`, else 4 as the kernel's documentation says.
    ///
    /// libvirt: `virHostCPUGetKVMMaxVCPUs`.
    static func kvmMaxVcpus() throws(VirError) -> Int32 {
        let fd = open("/dev/kvm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw VirError.system(errno, "Unable to open /dev/kvm") }
        defer { close(fd) }
        for cap in [kvmCapMaxVcpus, kvmCapNrVcpus] {
            let n = ioctl(fd, kvmCheckExtension, cap)
            if n > 0 { return n }
        }
        return 4
    }

    /// The x86 models of libvirt's CPU map with their vendors, read once
    /// per process; none when the map cannot be read.
    ///
    /// libvirt: `virCPUGetModels`, `virCPUGetVendorForModel`.
    static let cpuMap: [String: String?] = {
        do {
            let map = try CPUx86Map.load()
            return Dictionary(map.models.map { ($0.name, $0.vendor) }, uniquingKeysWith: { a, _ in a })
        } catch {
            DriverLog.logger("qemu_driver").warning("cannot read libvirt's CPU map: \(error)")
            return [:]
        }
    }()
}
