import Foundation
import Glibc
import cpu_x86
import libvirt_abi
import qemu_capabilities
import qemu_process
import virutil

extension QemuConnection {
    /// The host CPU, probed once per process: CPUID does not change under
    /// a running driver. libvirt: `virQEMUDriverGetHostCPU`.
    static let hostCPU: VirCPUDef = HostCPUProbe.probe()

    /// The capabilities XML, read again at each call (memory, huge pages
    /// and the emulator can change), the host CPU excepted.
    ///
    /// libvirt: `qemuConnectGetCapabilities` (`virQEMUDriverGetCapabilities`
    /// with refresh).
    public func capabilities() throws(VirError) -> String {
        let config = driver.config
        let node = try NodeInfo.read()
        var cpu = Self.hostCPU
        cpu.topology = VirCPUTopology(sockets: node.sockets, dies: 1, cores: node.cores, threads: node.threads)
        let identity = config.qemuIdentity
        let uid = identity?.uid ?? geteuid(), gid = identity?.gid ?? getegid()
        var guests: [QemuHostCapabilities.Guest] = []
        // An emulator that cannot be probed is left out, as libvirt leaves
        // out a binary it cannot probe.
        do {
            let caps = try state.caps.lookup(QemuCommandLine.defaultEmulator)
            let kvm = caps.kvmPresent && QemuHostCapabilities.kvmUsable(as: identity)
            // i686 guests run on the same emulator here (libvirt would use
            // qemu-system-i386).
            for (arch, wordSize) in [("i686", 32), ("x86_64", 64)] {
                guests.append(.init(arch: arch, wordSize: wordSize, emulator: caps.emulator, machines: caps.machines, kvm: kvm))
            }
        } catch {
            state.log.warning("capabilities: no guest for \(QemuCommandLine.defaultEmulator): \(error)")
        }
        let pages = [HostNUMACell.systemPageKiB] + HostNUMACell.hugePageSizes("/sys/kernel/mm/hugepages")
        return QemuHostCapabilities(hostUUID: hostUUID.description, cpu: cpu, pageSizes: pages,
                                    powerManagement: HostPowerManagement.supported, iommu: QemuHostCapabilities.hostHasIOMMU(),
                                    migrationTransports: QemuHostCapabilities.migrationTransports,
                                    cells: HostNUMACell.readAll(), caches: HostCacheBank.readAll(),
                                    dacLabel: "+\(uid):+\(gid)", guests: guests).format()
    }

    /// The most vCPUs a guest of `type` may have: 16 for `qemu` (or no
    /// type), KVM's limit for `kvm`.
    ///
    /// libvirt: `qemuConnectGetMaxVcpus`.
    public func maxVcpus(type: String?) throws(VirError) -> Int32 {
        guard let type, type.lowercased() != "qemu" else { return 16 }
        guard type.lowercased() == "kvm" else { throw VirError(.invalidArg, "unknown type '\(type)'") }
        return try HostCPUProbe.kvmMaxVcpus()
    }
}

extension QemuConnection {
    /// libvirt's `virDomainVirtType` names (`virDomainVirtTypeFromString`);
    /// `none` stands for the default.
    static let virtTypeNames: Set<String> = ["none", "qemu", "kqemu", "kvm", "xen", "lxc", "uml", "openvz", "test", "vmware",
                                             "hyperv", "vbox", "phyp", "parallels", "bhyve", "vz", "hvf"]
    /// libvirt's `virArch` names (`virArchFromString`).
    static let archNames: Set<String> = ["i686", "x86_64", "aarch64", "alpha", "armv6l", "armv7l", "armv7b", "cris", "loongarch64",
                                         "m68k", "microblaze", "microblazeel", "mips", "mipsel", "mips64", "mips64el", "openrisc",
                                         "parisc", "parisc64", "ppc", "ppcle", "ppc64", "ppc64le", "ppcemb", "riscv32", "riscv64",
                                         "s390", "s390x", "sh4", "sh4eb", "sparc", "sparc64", "unicore32", "xtensa", "xtensaeb"]

    /// What `emulatorBin` (by default the emulator of `arch`) offers a
    /// domain of `virtType` (by default KVM where it can run, else TCG)
    /// on `machine` (by default the emulator's default).
    ///
    /// libvirt: `qemuConnectGetDomainCapabilities` →
    /// `virQEMUCapsCacheLookupDefault`, `virQEMUDriverGetDomainCapabilities`.
    public func domainCapabilities(emulatorBin: String?, arch archName: String?, machine machineName: String?,
                                   virtType virtTypeName: String?, flags: UInt32 = 0) throws(VirError) -> String {
        if flags != 0 { throw VirError.unsupportedFlags(flags, in: "qemuConnectGetDomainCapabilities") }
        if let v = virtTypeName, !Self.virtTypeNames.contains(v) { throw VirError(.invalidArg, "unknown virttype: \(v)") }
        if let a = archName, !Self.archNames.contains(a) { throw VirError(.invalidArg, "unknown architecture: \(a)") }
        // The host's architecture (uname), not its whole topology.
        let arch = archName ?? VirCPUDef.hostArch
        let isX86 = arch == "x86_64" || arch == "i686"
        // The driver runs x86 guests, i686 ones too, with its x86_64 emulator.
        guard emulatorBin != nil || isX86 else {
            throw VirError(.configUnsupported, "unable to find any emulator to serve '\(arch)' architecture")
        }
        let binary = emulatorBin ?? QemuCommandLine.defaultEmulator
        let caps = try state.caps.lookup(binary)
        guard isX86 else {
            throw VirError(.invalidArg, "architecture from emulator 'x86_64' doesn't match given architecture '\(arch)'")
        }
        let config = driver.config
        let kvmUsable = caps.kvmPresent && QemuHostCapabilities.kvmUsable(as: config.qemuIdentity)
        let virtType = virtTypeName.flatMap { $0 == "none" ? nil : $0 } ?? (kvmUsable ? "kvm" : "qemu")
        // An accelerator the host lacks, then any type but TCG and KVM.
        if (virtType == "kvm" || virtType == "hvf") && !kvmUsable {
            throw VirError(.invalidArg, "the accel '\(virtType)' is not supported by '\(binary)' on this host")
        }
        guard virtType == "qemu" || virtType == "kvm" else {
            throw VirError(.invalidArg, "Emulator '\(binary)' does not support virt type '\(virtType)'")
        }
        let machine: String
        if let machineName {
            machine = caps.canonicalMachine(machineName)
            guard caps.supportsMachine(machine) else {
                throw VirError(.invalidArg, "the machine '\(machine)' is not supported by emulator '\(binary)'")
            }
        } else {
            guard let preferred = caps.preferredMachine else {
                throw VirError(.internalError, "emulator '\(binary)' offers no machine type")
            }
            machine = preferred
        }
        var maxVcpus = caps.machines.first { $0.name == machine }?.maxCpus ?? 0
        if virtType == "kvm" { maxVcpus = min(maxVcpus, Int(try HostCPUProbe.kvmMaxVcpus())) }

        let descriptors = try QemuFirmware.descriptors(in: config.firmwareDirs).filter { $0.matches(machine: machine, arch: arch) }
        var loaders: [String] = []
        for d in descriptors {
            guard let file = d.executable?.filename, d.device != .kernel, access(file, F_OK) == 0, !loaders.contains(file) else { continue }
            loaders.append(file)
        }
        // KVM's own probe, for its CPU models and Hyper-V, where KVM runs.
        let kvm = kvmUsable ? try state.caps.kvmCaps(binary) : nil
        let models = virtType == "kvm" ? kvm?.cpuModels ?? [] : caps.cpuModels
        let map = HostCPUProbe.cpuMap
        let cpuModels = models.compactMap { m -> (name: String, usable: Bool?, vendor: String?)? in
            guard m.name != "host", let vendor = map[m.name] else { return nil }
            return (m.name, m.usable, vendor)
        }
        return QemuDomainCapabilities(
            path: binary, virtType: virtType, machine: machine, arch: arch, maxVcpus: maxVcpus, loaders: loaders,
            efi: descriptors.contains { $0.interfaceTypes.contains("uefi") },
            bios: descriptors.contains { $0.interfaceTypes.contains("bios") },
            secureBoot: descriptors.contains { $0.features.contains("requires-smm") },
            cpuModels: cpuModels,
            hyperv: kvm.map { k in
                QemuCommandLine.hypervFeatures.filter {
                    k.hypervProperties.contains($0) || k.hypervProperties.contains($0.replacingOccurrences(of: "_", with: "-"))
                }
            }).format()
    }
}
