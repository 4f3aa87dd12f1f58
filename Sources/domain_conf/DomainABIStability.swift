import libvirt_abi

/// Whether a destination definition keeps the guest ABI of the source:
/// what a migration's destination XML may and may not change.
///
/// libvirt: `virDomainDefCheckABIStabilityFlags` (src/conf/domain_conf.c)
/// with `VIR_DOMAIN_DEF_ABI_CHECK_SKIP_VOLATILE` (what a migration uses:
/// the balloon's current size may differ), in libvirt's order and wording,
/// for the parts of the definition this project models or keeps: identity,
/// memory, vCPUs, OS and machine, `<features>`, clock timers, CPU, then
/// every device (disks, controllers, interfaces, serials, consoles, the
/// memballoon: model and address each; the device kinds only kept as XML
/// by their count). The emulator binary is not part of the ABI: changing it
/// is the point of a QEMU upgrade.
public enum DomainABIStability {
    /// Throws `VIR_ERR_CONFIG_UNSUPPORTED` with libvirt's wording for the
    /// first difference found.
    public static func check(source src: DomainDef, destination dst: DomainDef) throws(VirError) {
        if src.virtType != dst.virtType {
            throw fail("Target domain virt type \(dst.virtType) does not match source \(src.virtType)")
        }
        if src.uuid != dst.uuid {
            throw fail("Target domain uuid \(dst.uuid) does not match source \(src.uuid)")
        }
        if src.name != dst.name {
            throw fail("Target domain name '\(dst.name)' does not match source '\(src.name)'")
        }
        try checkMemory(src, dst)
        try checkVcpus(src, dst)
        if src.os.type != dst.os.type {
            throw fail("Target domain OS type \(dst.os.type) does not match source \(src.os.type)")
        }
        if src.os.arch != dst.os.arch {
            throw fail("Target domain architecture \(dst.os.arch ?? "") does not match source \(src.os.arch ?? "")")
        }
        if src.os.machine != dst.os.machine {
            throw fail("Target domain machine type \(dst.os.machine ?? "") does not match source \(src.os.machine ?? "")")
        }
        let srcSmbios = src.os.node.child("smbios")?.attribute("mode") ?? "none"
        let dstSmbios = dst.os.node.child("smbios")?.attribute("mode") ?? "none"
        if srcSmbios != dstSmbios {
            throw fail("Target domain SMBIOS mode \(dstSmbios) does not match source \(srcSmbios)")
        }
        try DomainFeaturesABI.check(src.node.child("features"), dst.node.child("features"))
        try checkTimers(src, dst)
        try DomainCPUABI.check(src.node.child("cpu"), dst.node.child("cpu"))
        // This project's own check: the RAM's backing decides whether the
        // two QEMUs share it.
        if src.memoryBacking?.source != dst.memoryBacking?.source || src.memoryBacking?.access != dst.memoryBacking?.access
            || (src.memoryBacking?.hugepages ?? false) != (dst.memoryBacking?.hugepages ?? false) {
            throw fail("Target domain memory backing does not match source")
        }
        try checkDevices(src, dst)
    }

    static func fail(_ message: String) -> VirError { VirError.conf(.configUnsupported, message) }

    /// libvirt: `virDomainMemtuneCheckABIStability`.
    static func checkMemory(_ src: DomainDef, _ dst: DomainDef) throws(VirError) {
        if src.memory != dst.memory {
            throw fail("Target domain max memory \(dst.memory) does not match source \(src.memory)")
        }
        func maxMemory(_ d: DomainDef) -> (size: UInt64, slots: UInt64) {
            guard let m = d.node.child("maxMemory") else { return (0, 0) }
            let size = (try? ScaledInteger.parseMemory(m.text, unit: m.attribute("unit"), xpath: "./maxMemory[1]")) ?? 0
            return (size, m.attribute("slots").flatMap { ScaledInteger.parseUnsigned($0) } ?? 0)
        }
        let (s, d) = (maxMemory(src), maxMemory(dst))
        if s.size != d.size {
            throw fail("Target maximum memory size '\(d.size)' doesn't match source '\(s.size)'")
        }
        if s.slots != d.slots {
            throw fail("Target domain memory slots count '\(d.slots)' doesn't match source '\(s.slots)'")
        }
    }

    /// libvirt: `virDomainDefVcpuCheckAbiStability`.
    static func checkVcpus(_ src: DomainDef, _ dst: DomainDef) throws(VirError) {
        if src.vcpus != dst.vcpus {
            throw fail("Target domain vCPU max \(dst.vcpus) does not match source \(src.vcpus)")
        }
        for (i, (s, d)) in zip(src.vcpuList, dst.vcpuList).enumerated() {
            if s.online != d.online {
                throw fail("State of vCPU '\(i)' differs between source and destination definitions")
            }
            if s.order != d.order {
                throw fail("vcpu enable order of vCPU '\(i)' differs between source and destination definitions")
            }
        }
    }

    /// libvirt: the timer loop of `virDomainDefCheckABIStabilityFlags` and
    /// `virDomainTimerDefCheckABIStability`.
    static func checkTimers(_ src: DomainDef, _ dst: DomainDef) throws(VirError) {
        let s = src.node.child("clock")?.children(named: "timer") ?? []
        let d = dst.node.child("clock")?.children(named: "timer") ?? []
        if s.count != d.count {
            throw fail("Target domain timers do not match source")
        }
        for (st, dt) in zip(s, d) {
            let (sn, dn) = (st.attribute("name") ?? "", dt.attribute("name") ?? "")
            if sn != dn {
                throw fail("Target timer \(dn) does not match source \(sn)")
            }
            let (sp, dp) = (st.attribute("present") ?? "absent", dt.attribute("present") ?? "absent")
            if sp != dp {
                throw fail("Target timer presence '\(dp)' does not match source '\(sp)'")
            }
            if sn == "tsc" {
                let (sf, df) = (st.attribute("frequency") ?? "0", dt.attribute("frequency") ?? "0")
                if sf != df {
                    throw fail("Target TSC frequency \(df) does not match source \(sf)")
                }
                let (sm, dm) = (st.attribute("mode") ?? "auto", dt.attribute("mode") ?? "auto")
                if sm != dm {
                    throw fail("Target TSC mode \(dm) does not match source \(sm)")
                }
            }
        }
    }

    /// libvirt: `virDomainDeviceInfoCheckABIStability` (the address half).
    static func checkAddress(_ src: DomainDeviceAddress?, _ dst: DomainDeviceAddress?) throws(VirError) {
        let (st, dt) = (src?.typeName ?? "none", dst?.typeName ?? "none")
        // A disk of an instance started before this driver gave disks
        // drive addresses sits where its name puts it: the destination's
        // default drive address is that place.
        if st == "none" && dt == "drive" { return }
        if st != dt {
            throw fail("Target device address type \(dt) does not match source \(st)")
        }
        if case .pci(let s)? = src, case .pci(let d)? = dst,
           s.domain != d.domain || s.bus != d.bus || s.slot != d.slot || s.function != d.function {
            // libvirt's format string has no space before "does"
            // ("Target device PCI address " VIR_PCI_DEVICE_ADDRESS_FMT "does not ...").
            throw fail("Target device PCI address \(d)does not match source \(s)")
        }
    }

    static func checkDevices(_ src: DomainDef, _ dst: DomainDef) throws(VirError) {
        if src.disks.count != dst.disks.count {
            throw fail("Target domain disk count \(dst.disks.count) does not match source \(src.disks.count)")
        }
        for (s, d) in zip(src.disks, dst.disks) {
            // libvirt: virDomainDiskDefCheckABIStability.
            if s.device != d.device {
                throw fail("Target disk device \(d.device.rawValue) does not match source \(s.device.rawValue)")
            }
            if s.targetBus != d.targetBus {
                throw fail("Target disk bus \(d.targetBus?.rawValue ?? "") does not match source \(s.targetBus?.rawValue ?? "")")
            }
            if s.targetDev != d.targetDev {
                throw fail("Target disk \(d.targetDev) does not match source \(s.targetDev)")
            }
            let (ss, ds) = (s.node.childText("serial"), d.node.childText("serial"))
            if ss != ds {
                throw fail("Target disk serial \(ds ?? "<null>") does not match source \(ss ?? "<null>")")
            }
            let (sw, dw) = (s.node.childText("wwn"), d.node.childText("wwn"))
            if sw != dw {
                throw fail("Target disk wwn '\(dw ?? "<null>")' does not match source '\(sw ?? "<null>")'")
            }
            if s.readonly != d.readonly {
                throw fail("Target disk access mode does not match source")
            }
            let (sm, dm) = (s.node.attribute("model") ?? "default", d.node.attribute("model") ?? "default")
            if sm != dm {
                throw fail("Target disk model \(dm) does not match source \(sm)")
            }
            try checkAddress(s.address, d.address)
        }
        if src.controllers.count != dst.controllers.count {
            throw fail("Target domain controller count \(dst.controllers.count) does not match source \(src.controllers.count)")
        }
        for (s, d) in zip(src.controllers, dst.controllers) {
            // libvirt: virDomainControllerDefCheckABIStability (which prints
            // the model as its number in the type's enum; the name here).
            if s.type != d.type {
                throw fail("Target controller type \(d.type.rawValue) does not match source \(s.type.rawValue)")
            }
            if s.index != d.index {
                throw fail("Target controller index \(d.index ?? -1) does not match source \(s.index ?? -1)")
            }
            if s.model != d.model {
                throw fail("Target controller model \(d.model ?? "default") does not match source \(s.model ?? "default")")
            }
            try checkAddress(s.address, d.address)
        }
        try checkCount(src, dst, "filesystem", "filesystem count")
        if src.interfaces.count != dst.interfaces.count {
            throw fail("Target domain net card count \(dst.interfaces.count) does not match source \(src.interfaces.count)")
        }
        for (s, d) in zip(src.interfaces, dst.interfaces) {
            // libvirt: virDomainNetDefCheckABIStability.
            if s.mac != d.mac {
                throw fail("Target network card mac \(d.mac) does not match source \(s.mac)")
            }
            if s.model != d.model {
                throw fail("Target network card model \(d.model ?? "<null>") does not match source \(s.model ?? "<null>")")
            }
            let (smtu, dmtu) = (s.node.child("mtu")?.attribute("size") ?? "0", d.node.child("mtu")?.attribute("size") ?? "0")
            if smtu != dmtu {
                throw fail("Target network card MTU \(dmtu) does not match source \(smtu)")
            }
            try checkAddress(s.address, d.address)
        }
        try checkCount(src, dst, "input", "input device count")
        try checkCount(src, dst, "sound", "sound card count")
        try checkCount(src, dst, "video", "video card count")
        try checkCount(src, dst, "hostdev", "host device count")
        try checkCount(src, dst, "smartcard", "smartcard count")
        if src.serials.count != dst.serials.count {
            throw fail("Target domain serial port count \(dst.serials.count) does not match source \(src.serials.count)")
        }
        for (s, d) in zip(src.serials, dst.serials) {
            // libvirt: virDomainSerialDefCheckABIStability.
            let (st, dt) = (s.targetType ?? "isa-serial", d.targetType ?? "isa-serial")
            if st != dt {
                throw fail("Target serial type \(dt) does not match source \(st)")
            }
            if s.targetPort != d.targetPort {
                throw fail("Target serial port \(d.targetPort ?? -1) does not match source \(s.targetPort ?? -1)")
            }
            try checkAddress(s.address, d.address)
        }
        try checkCount(src, dst, "parallel", "parallel port count")
        try checkCount(src, dst, "channel", "channel count")
        if src.consoles.count != dst.consoles.count {
            throw fail("Target domain console count \(dst.consoles.count) does not match source \(src.consoles.count)")
        }
        for (s, d) in zip(src.consoles, dst.consoles) {
            // libvirt: virDomainConsoleDefCheckABIStability.
            let (st, dt) = (s.targetType ?? "serial", d.targetType ?? "serial")
            if st != dt {
                throw fail("Target console type \(dt) does not match source \(st)")
            }
            try checkAddress(s.address, d.address)
        }
        try checkCount(src, dst, "hub", "hub device count")
        try checkCount(src, dst, "redirdev", "redirected devices count")
        try checkPresence(src, dst, "redirfilter", "USB redirection filter count")
        try checkPresence(src, dst, "watchdog", "watchdog count")
        if (src.memballoon == nil) != (dst.memballoon == nil) {
            throw fail("Target domain memory balloon count \(dst.memballoon == nil ? 0 : 1) does not match source \(src.memballoon == nil ? 0 : 1)")
        }
        if let s = src.memballoon, let d = dst.memballoon {
            // libvirt: virDomainMemballoonDefCheckABIStability.
            if s.model != d.model {
                throw fail("Target balloon model \(d.model) does not match source \(s.model)")
            }
            let (sa, da) = (s.node.attribute("autodeflate") ?? "absent", d.node.attribute("autodeflate") ?? "absent")
            if sa != da {
                throw fail("Target balloon autodeflate attribute value '\(da)' does not match source '\(sa)'")
            }
            let (sf, df) = (s.node.attribute("freePageReporting") ?? "absent", d.node.attribute("freePageReporting") ?? "absent")
            if sf != df {
                throw fail("Target balloon freePageReporting attribute value '\(df)' does not match source '\(sf)'")
            }
            try checkAddress(s.address, d.address)
        }
        try checkCount(src, dst, "rng", "RNG device count")
        try checkCount(src, dst, "panic", "panic device count")
        try checkCount(src, dst, "shmem", "shared memory device count")
        try checkCount(src, dst, "tpm", "TPM device count")
        try checkCount(src, dst, "memory", "memory device count")
        try checkCount(src, dst, "iommu", "IOMMU device count", singleton: true)
        try checkCount(src, dst, "vsock", "vsock device count", singleton: true)
    }

    /// The devices this model keeps as XML only: libvirt's count checks.
    static func checkCount(_ src: DomainDef, _ dst: DomainDef, _ element: String, _ what: String,
                           singleton: Bool = false) throws(VirError) {
        let s = src.node.child("devices")?.children(named: element).count ?? 0
        let d = dst.node.child("devices")?.children(named: element).count ?? 0
        if s != d {
            throw fail("Target domain \(what) \(d) does not match source \(s)")
        }
    }

    static func checkPresence(_ src: DomainDef, _ dst: DomainDef, _ element: String, _ what: String) throws(VirError) {
        let s = src.node.child("devices")?.child(element) == nil ? 0 : 1
        let d = dst.node.child("devices")?.child(element) == nil ? 0 : 1
        if s != d {
            throw fail("Target domain \(what) \(d) does not match source \(s)")
        }
    }
}
