import Testing
@testable import qemu_capabilities
import qemu_monitor
import virutil
import Glibc
@testable import qemu_driver

/// The pieces of `virsh capabilities` read from sysfs and QEMU, each
/// against what libvirt writes for the same input.
@Suite struct HostCapabilitiesPartsTests {
    @Test func cacheSizesInTheLargestUnitThatDividesThem() {
        #expect(HostCacheBank.scaled("32768K") == 32 << 20)
        #expect(HostCacheBank.scaled("512") == 512)
        #expect(HostCacheBank.scaled("2M") == 2 << 20)
        #expect(HostCacheBank.scaled("12Q") == nil)
        #expect(HostCacheBank.pretty(32 << 20) == (32, "MiB"))
        #expect(HostCacheBank.pretty(1536 << 10) == (1536, "KiB"))
        #expect(HostCacheBank.pretty(1000) == (1000, "B"))
        #expect(HostCacheBank.pretty(0) == (0, "B"))
        let bank = HostCacheBank(id: 0, level: 3, type: "both", size: 32 << 20, cpus: [0, 1])
        #expect(bank.line == "<bank id='0' level='3' type='both' size='32' unit='MiB' cpus='0-1'/>")
        #expect(HostCacheBank.typeName("Unified") == "both")
        #expect(HostCacheBank.typeName("Instruction") == "code")
        #expect(HostCacheBank.typeName("Data") == "data")
        #expect(HostCacheBank.typeName("Other") == nil)
    }

    /// This host's caches of level 3 and more: each online CPU is in one
    /// bank of each level, and levels 1 and 2 are not shown.
    @Test func theHostsCachesCoverItsCPUs() {
        let banks = HostCacheBank.readAll()
        #expect(banks.allSatisfy { $0.level >= 3 })
        for level in Set(banks.map(\.level)) {
            let cpus = banks.filter { $0.level == level }.flatMap(\.cpus)
            #expect(cpus.count == Set(cpus).count, "a CPU in two level-\(level) banks")
        }
    }

    @Test func machinesListTheDefaultFirstAndAnAliasAfterItsMachine() {
        let machines = [
            QemuMachine(name: "pc-q35-7.2", alias: "q35", maxCpus: 288),
            QemuMachine(name: "none", maxCpus: 1),
            QemuMachine(name: "pc-i440fx-1.4", deprecated: true, maxCpus: 255),
            QemuMachine(name: "pc-i440fx-7.2", alias: "pc", isDefault: true, maxCpus: 255),
            QemuMachine(name: "isapc", maxCpus: 1),
        ]
        #expect(QemuHostCapabilities.machineLines(machines) == [
            "<machine maxCpus='255'>pc-i440fx-7.2</machine>",
            "<machine canonical='pc-i440fx-7.2' maxCpus='255'>pc</machine>",
            "<machine maxCpus='288'>pc-q35-7.2</machine>",
            "<machine canonical='pc-q35-7.2' maxCpus='288'>q35</machine>",
            "<machine maxCpus='255' deprecated='yes'>pc-i440fx-1.4</machine>",
            "<machine maxCpus='1'>isapc</machine>",
        ])
    }

    /// The cache file keeps what capabilities and domain capabilities
    /// read: the machines' vCPU limits, KVM, the CPU models of each
    /// accelerator and the Hyper-V properties KVM's host CPU sets (KVM's only
    /// once probed).
    @Test func theCapabilitiesCacheKeepsMachineLimitsKVMAndCPUModels() throws {
        let identity = QemuBinaryIdentity(path: "/usr/bin/qemu-system-x86_64", device: 1, inode: 2, size: 3, modified: 4, changed: 5)
        let version = QemuVersion(major: 7, minor: 2, micro: 0, package: "")
        let tcg = [QemuCPUModel(name: "qemu64", usable: true), QemuCPUModel(name: "Haswell", usable: false),
                   QemuCPUModel(name: "odd", usable: nil)]
        var caps = QemuCaps(identity: identity, version: version,
                            machines: [QemuMachine(name: "pc-i440fx-7.2", alias: "pc", isDefault: true, maxCpus: 255)],
                            kvmPresent: true, cpuModels: tcg)
        let once = try #require(QemuCaps.parseCache(caps.formatCache(), url: "t"))
        #expect(once == caps)
        #expect(once.kvm == nil)
        caps.kvm = QemuKVMCaps(cpuModels: [], hypervProperties: [])
        let probed = try #require(QemuCaps.parseCache(caps.formatCache(), url: "t"))
        #expect(probed.kvm == QemuKVMCaps(cpuModels: [], hypervProperties: []))
        caps.kvm = QemuKVMCaps(cpuModels: [QemuCPUModel(name: "EPYC", usable: false)], hypervProperties: ["spinlocks", "vendor-id"])
        #expect(QemuCaps.parseCache(caps.formatCache(), url: "t") == caps)
    }
}

extension HostCapabilitiesPartsTests {
    /// /dev/kvm is `root:kvm 0660` on Debian: QEMU's user reaches it
    /// through its `kvm` group, a user outside the group does not.
    @Test func kvmIsUsableByQemusUserThroughItsGroup() throws {
        var st = stat()
        try #require(stat("/dev/kvm", &st) == 0, "this host has no /dev/kvm")
        let qemu = try ProcessIdentity(user: "libvirt-qemu", group: "libvirt-qemu")
        #expect(QemuHostCapabilities.kvmUsable(as: qemu) == (st.st_mode & 0o060 == 0o060 && qemu.groups.contains(st.st_gid)))
        let nobody = ProcessIdentity(uid: 65534, gid: 65534, groups: [65534])
        #expect(QemuHostCapabilities.kvmUsable(as: nobody) == (st.st_mode & 0o006 == 0o006))
        #expect(QemuHostCapabilities.kvmUsable(as: nil) == (access("/dev/kvm", R_OK | W_OK) == 0))
    }
}
