import CGlibc
import Glibc
import libvirt_abi

/// What libvirt reads about the host CPU besides CPUID: /proc/cpuinfo, the
/// MSR device and KVM. Every probe is best effort, as in libvirt: what
/// cannot be read is absent.
///
/// libvirt: src/util/virhostcpu.c.
public enum VirHostCPU {
    /// libvirt: `CPUINFO_PATH`.
    public static let cpuinfoPath = "/proc/cpuinfo"
    /// libvirt: `KVM_DEVICE`.
    public static let kvmDevice = "/dev/kvm"
    /// libvirt: `MSR_DEVICE`.
    public static let msrDevice = "/dev/cpu/0/msr"

    /// The microcode revision of the first "microcode" field in the first
    /// 4096 bytes of /proc/cpuinfo (any base: Linux writes it in hex); `nil`
    /// when it cannot be read or is 0.
    ///
    /// libvirt: `virHostCPUGetMicrocodeVersion` (0 meaning unknown).
    public static func microcodeVersion(cpuinfoPath: String = cpuinfoPath) -> UInt32? {
        let header: String
        do {
            header = try HostFile.readText(cpuinfoPath, limit: 4096, truncate: true)
        } catch {
            // libvirt only logs it (VIR_DEBUG "Failed to read microcode
            // version from %s") and reports the version as unknown.
            return nil
        }
        return microcodeVersion(cpuinfo: header)
    }

    /// The microcode revision in /proc/cpuinfo's text.
    ///
    /// libvirt: the parsing half of `virHostCPUGetMicrocodeVersion`.
    public static func microcodeVersion(cpuinfo: String) -> UInt32? {
        guard let field = cpuinfo.firstRange(of: "microcode"),
              let colon = cpuinfo[field.upperBound...].firstIndex(of: ":") else { return nil }
        let version = LibvirtNumber.uiPrefix(cpuinfo[cpuinfo.index(after: colon)...], base: 0)
        return version == 0 ? nil : version
    }

    /// The physical address bits of the first "address sizes" line of
    /// /proc/cpuinfo.
    ///
    /// libvirt: `virHostCPUGetPhysAddrSize`.
    public static func physAddrSize(cpuinfoPath: String = cpuinfoPath) throws(VirError) -> UInt32 {
        let text: String
        do {
            text = try HostFile.readText(cpuinfoPath, limit: 16 * 1024 * 1024)
        } catch {
            throw VirError.system(error.errno ?? EIO, "Failed to open cpuinfo file '\(cpuinfoPath)'", domain: .cpu)
        }
        return try physAddrSize(cpuinfo: text)
    }

    /// The physical address bits in /proc/cpuinfo's text.
    ///
    /// libvirt: `virHostCPUParsePhysAddrSize`.
    public static func physAddrSize(cpuinfo: String) throws(VirError) -> UInt32 {
        let missing = VirError(.internalError, "Missing or invalid CPU address size in \(cpuinfoPath)", domain: .cpu)
        for line in cpuinfo.split(separator: "\n", omittingEmptySubsequences: false)
        where line.hasPrefix("address sizes") {
            let rest = line.dropFirst("address sizes".count)
            guard let colon = rest.firstIndex(of: ":"),
                  let bits = LibvirtNumber.uiPrefix(rest[rest.index(after: colon)...], base: 10) else { throw missing }
            return bits
        }
        throw missing
    }

    /// An MSR of the host: from the MSR device of CPU 0, else from KVM's
    /// list of feature MSRs. `nil` when the CPU does not have the MSR or it
    /// cannot be read.
    ///
    /// libvirt: `virHostCPUGetMSR` (`virHostCPUGetMSRFromKVM`), whose
    /// result 0 is a value and 1 or -1 no value.
    public static func msr(_ index: UInt32) -> UInt64? {
        let fd = open(msrDevice, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            defer { close(fd) }
            var value: UInt64 = 0
            let rc = withUnsafeMutableBytes(of: &value) { pread(fd, $0.baseAddress, $0.count, off_t(index)) }
            if rc == MemoryLayout<UInt64>.size { return value }
            // EIO: the CPU does not have the MSR (libvirt returns 1).
            if rc < 0 && errno == EIO { return nil }
        }
        // Falling back to KVM ioctl.
        let kvm = open(kvmDevice, O_RDONLY | O_CLOEXEC)
        guard kvm >= 0 else { return nil }
        defer { close(kvm) }
        var value: UInt64 = 0
        guard cglibc_kvm_get_msr(kvm, index, &value) >= 0 else { return nil }
        return value
    }

    /// The TSC frequency KVM gives a new vCPU and whether KVM can scale it;
    /// `nil` when KVM cannot be asked. Meant for a CPU with invariant TSC.
    ///
    /// libvirt: `virHostCPUGetTscInfo`.
    public static func tscInfo() -> VirHostCPUTscInfo? {
        let kvm = open(kvmDevice, O_RDONLY | O_CLOEXEC)
        guard kvm >= 0 else { return nil }
        defer { close(kvm) }
        let vm = cglibc_ioctl_arg(kvm, CGLIBC_KVM_CREATE_VM, 0)
        guard vm >= 0 else { return nil }
        defer { close(vm) }
        let vcpu = cglibc_ioctl_arg(vm, CGLIBC_KVM_CREATE_VCPU, 0)
        guard vcpu >= 0 else { return nil }
        defer { close(vcpu) }
        let khz = cglibc_ioctl_arg(vcpu, CGLIBC_KVM_GET_TSC_KHZ, 0)
        guard khz >= 0 else { return nil }
        let scaling = cglibc_ioctl_arg(kvm, CGLIBC_KVM_CHECK_EXTENSION, UInt(CGLIBC_KVM_CAP_TSC_CONTROL))
        guard scaling >= 0 else { return nil }
        return VirHostCPUTscInfo(frequency: UInt64(khz) * 1000, scaling: scaling != 0)
    }
}
