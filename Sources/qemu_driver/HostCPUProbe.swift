import Foundation
import Glibc
import libvirt_abi
import virutil

/// Reads what capabilities says of the host CPU.
///
/// libvirt: `virQEMUCapsProbeHostCPU` / `virCPUProbeHost`
/// (src/cpu/cpu.c), and `virHostCPUGetKVMMaxVCPUs` (src/util/virhostcpu.c).
enum HostCPUProbe {
    static func probe() -> HostCPUDescription {
        HostCPUDescription(model: nil, vendor: nil, microcode: nil, signature: nil, tsc: nil,
                           sockets: 0, dies: 0, cores: 0, threads: 0, maxPhysAddrBits: nil, features: [])
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
}

extension HostCPUProbe {
    /// The x86 models of libvirt's CPU map, with their vendor (`nil`: the
    /// map names none).
    ///
    /// libvirt: `virCPUGetModels`, `virCPUGetVendorForModel`.
    static func cpuMapModels() -> [String: String?] {
        [:]
    }
}
