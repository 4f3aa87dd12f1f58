import libvirt_abi

/// Whether a destination definition keeps the guest ABI of the source:
/// what a migration's destination XML may and may not change.
///
/// libvirt: `virDomainDefCheckABIStability` (src/conf/domain_conf.c), for
/// the parts of the definition this model knows. The emulator binary is not
/// part of the ABI: changing it is the point of a QEMU upgrade.
public enum DomainABIStability {
    /// Throws `VIR_ERR_CONFIG_UNSUPPORTED` with libvirt's wording for the
    /// first difference found.
    public static func check(source src: DomainDef, destination dst: DomainDef) throws(VirError) {
        func fail(_ message: String) -> VirError { VirError.conf(.configUnsupported, message) }
        if src.virtType != dst.virtType {
            throw fail("Target domain virt type \(dst.virtType) does not match source \(src.virtType)")
        }
        if src.uuid != dst.uuid {
            throw fail("Target domain uuid \(dst.uuid) does not match source \(src.uuid)")
        }
        if src.name != dst.name {
            throw fail("Target domain name '\(dst.name)' does not match source '\(src.name)'")
        }
        if src.memory != dst.memory {
            throw fail("Target domain max memory \(dst.memory) does not match source \(src.memory)")
        }
        if src.vcpus != dst.vcpus {
            throw fail("Target domain vCPU max \(dst.vcpus) does not match source \(src.vcpus)")
        }
        if src.os.type != dst.os.type {
            throw fail("Target domain OS type \(dst.os.type) does not match source \(src.os.type)")
        }
        if src.os.arch != dst.os.arch {
            throw fail("Target domain architecture \(dst.os.arch ?? "") does not match source \(src.os.arch ?? "")")
        }
        if src.os.machine != dst.os.machine {
            throw fail("Target domain machine type \(dst.os.machine ?? "") does not match source \(src.os.machine ?? "")")
        }
        if src.memoryBacking?.source != dst.memoryBacking?.source || src.memoryBacking?.access != dst.memoryBacking?.access
            || (src.memoryBacking?.hugepages ?? false) != (dst.memoryBacking?.hugepages ?? false) {
            throw fail("Target domain memory backing does not match source")
        }
        if src.disks.count != dst.disks.count {
            throw fail("Target domain disk count \(dst.disks.count) does not match source \(src.disks.count)")
        }
        for (s, d) in zip(src.disks, dst.disks) {
            if s.device != d.device {
                throw fail("Target disk device \(d.device) does not match source \(s.device)")
            }
            if s.targetBus != d.targetBus {
                throw fail("Target disk bus \(d.targetBus ?? "") does not match source \(s.targetBus ?? "")")
            }
            if s.targetDev != d.targetDev {
                throw fail("Target disk \(d.targetDev) does not match source \(s.targetDev)")
            }
        }
        if src.interfaces.count != dst.interfaces.count {
            throw fail("Target domain net card count \(dst.interfaces.count) does not match source \(src.interfaces.count)")
        }
        for (s, d) in zip(src.interfaces, dst.interfaces) {
            if s.mac != d.mac {
                throw fail("Target network card mac \(d.mac) does not match source \(s.mac)")
            }
            if s.model != d.model {
                throw fail("Target network card model \(d.model ?? "") does not match source \(s.model ?? "")")
            }
        }
        if src.serials.count != dst.serials.count {
            throw fail("Target domain serial port count \(dst.serials.count) does not match source \(src.serials.count)")
        }
        for (s, d) in zip(src.serials, dst.serials) where s.targetPort != d.targetPort {
            throw fail("Target serial port \(d.targetPort ?? -1) does not match source \(s.targetPort ?? -1)")
        }
        if src.consoles.count != dst.consoles.count {
            throw fail("Target domain console count \(dst.consoles.count) does not match source \(src.consoles.count)")
        }
        if src.memballoon?.model != dst.memballoon?.model {
            throw fail("Target balloon model \(dst.memballoon?.model ?? "none") does not match source \(src.memballoon?.model ?? "none")")
        }
    }
}
