import domain_conf
import libvirt_abi
import qemu_monitor

/// What one emulator binary offers, probed once per binary identity: its
/// version, its machine types, its migration modes and whether it can share
/// its auxiliary RAM.
///
/// libvirt: `virQEMUCaps` (src/qemu/qemu_capabilities.c).
public struct QemuCaps: Sendable, Equatable {
    /// The binary this was probed from.
    public let identity: QemuBinaryIdentity
    public let version: QemuVersion
    /// In the order QEMU lists them.
    public let machines: [QemuMachine]

    /// The values of QMP's `MigMode` (`normal`, `cpr-reboot`,
    /// `cpr-transfer`); empty for a QEMU without migration modes.
    public let migrationModes: [String]
    /// The machine property `aux-ram-share` (QEMU 10.0): ROMs and video RAM
    /// in shared memory too, which `cpr-transfer` needs.
    public let auxRamShare: Bool
    /// The binary has the KVM accelerator (`query-kvm`'s `present`),
    /// whether or not this host can use it.
    public let kvmPresent: Bool
    /// The CPU models under TCG, in QEMU's order.
    public let cpuModels: [QemuCPUModel]
    /// What KVM offers, once asked (`QemuCapsCache.kvmCaps`): a second
    /// probe, made only for domain capabilities.
    public internal(set) var kvm: QemuKVMCaps?

    public var emulator: String { identity.path }

    public init(identity: QemuBinaryIdentity, version: QemuVersion, machines: [QemuMachine],
                migrationModes: [String] = [], auxRamShare: Bool = false, kvmPresent: Bool = false,
                cpuModels: [QemuCPUModel] = [], kvm: QemuKVMCaps? = nil) {
        self.identity = identity
        self.version = version
        self.machines = machines
        self.migrationModes = migrationModes
        self.auxRamShare = auxRamShare
        self.kvmPresent = kvmPresent
        self.cpuModels = cpuModels
        self.kvm = kvm
    }

    /// Whether the emulator can hand its guest to a new QEMU by
    /// `cpr-transfer`: the mode exists and all its RAM can be shared.
    public var supportsCPRTransfer: Bool { migrationModes.contains("cpr-transfer") && auxRamShare }

    /// The versioned machine an alias stands for; any other name as given.
    ///
    /// libvirt: `virQEMUCapsGetCanonicalMachine`.
    public func canonicalMachine(_ name: String) -> String {
        machines.first { $0.alias == name }?.name ?? name
    }

    /// The machine a definition without one gets: QEMU's default.
    ///
    /// libvirt: `virQEMUCapsGetPreferredMachine`.
    public var preferredMachine: String? {
        (machines.first { $0.isDefault } ?? machines.first)?.name
    }

    /// libvirt: `virQEMUCapsIsMachineSupported`.
    public func supportsMachine(_ name: String) -> Bool {
        machines.contains { $0.name == name || $0.alias == name }
    }

    /// libvirt's single number for the version (`virConnectGetVersion`).
    public var versionNumber: UInt64 { UInt64(version.number) }

    // MARK: the cache file

    /// The cache file's layout version; a file of another layout is probed again.
    static let formatVersion = "3"

    /// ```xml
    /// <qemuCaps format='3'>
    ///   <emulator path='/usr/bin/qemu-system-x86_64' dev='2049' inode='1234' size='1' mtime='1' ctime='1'/>
    ///   <version major='7' minor='2' micro='22' package='Debian ...'/>
    ///   <machine name='pc-i440fx-7.2' alias='pc' default='yes' maxCpus='255'/>
    ///   <migrationMode name='normal'/>
    ///   <auxRamShare/>
    ///   <kvm/>
    ///   <cpuModel accel='tcg' name='qemu64' usable='yes'/>
    ///   <kvmProbed/>
    ///   <cpuModel accel='kvm' name='qemu64' usable='no'/>
    ///   <hyperv name='spinlocks'/>
    /// </qemuCaps>
    /// ```
    ///
    /// libvirt: `virQEMUCapsFormatCache`.
    public func formatCache() -> String {
        let id = identity
        var root = XMLElement("qemuCaps", attributes: [XMLAttribute("format", Self.formatVersion)])
        root.children.append(.element(XMLElement("emulator", attributes: [
            XMLAttribute("path", id.path), XMLAttribute("dev", String(id.device)), XMLAttribute("inode", String(id.inode)),
            XMLAttribute("size", String(id.size)), XMLAttribute("mtime", String(id.modified)),
            XMLAttribute("ctime", String(id.changed)),
        ])))
        root.children.append(.element(XMLElement("version", attributes: [
            XMLAttribute("major", String(version.major)), XMLAttribute("minor", String(version.minor)),
            XMLAttribute("micro", String(version.micro)), XMLAttribute("package", version.package),
        ])))
        for m in machines {
            var e = XMLElement("machine", attributes: [XMLAttribute("name", m.name)])
            e.setAttribute("alias", m.alias)
            e.setAttribute("default", m.isDefault ? "yes" : nil)
            e.setAttribute("deprecated", m.deprecated ? "yes" : nil)
            e.setAttribute("maxCpus", m.maxCpus > 0 ? String(m.maxCpus) : nil)
            root.children.append(.element(e))
        }
        for mode in migrationModes {
            root.children.append(.element(XMLElement("migrationMode", attributes: [XMLAttribute("name", mode)])))
        }
        if auxRamShare { root.children.append(.element(XMLElement("auxRamShare"))) }
        if kvmPresent { root.children.append(.element(XMLElement("kvm"))) }
        for (accel, models) in [("tcg", cpuModels), ("kvm", kvm?.cpuModels ?? [])] {
            for m in models {
                var e = XMLElement("cpuModel", attributes: [XMLAttribute("accel", accel), XMLAttribute("name", m.name)])
                e.setAttribute("usable", m.usable.map { $0 ? "yes" : "no" })
                root.children.append(.element(e))
            }
        }
        if let kvm {
            root.children.append(.element(XMLElement("kvmProbed")))
            for p in kvm.hypervProperties { root.children.append(.element(XMLElement("hyperv", attributes: [XMLAttribute("name", p)]))) }
        }
        return root.formatted() + "\n"
    }

    /// Reads a cache file; `nil` when it is not one this code wrote.
    ///
    /// libvirt: `virQEMUCapsLoadCache`.
    public static func parseCache(_ text: String, url: String) -> QemuCaps? {
        guard let root = try? XMLParser.parse(text, url: url, rootElement: "qemuCaps"),
              root.attribute("format") == formatVersion,
              let e = root.child("emulator"), let path = e.attribute("path"),
              let dev = e.attribute("dev").flatMap(UInt64.init), let inode = e.attribute("inode").flatMap(UInt64.init),
              let size = e.attribute("size").flatMap(Int64.init), let mtime = e.attribute("mtime").flatMap(Int64.init),
              let ctime = e.attribute("ctime").flatMap(Int64.init),
              let v = root.child("version"), let major = v.attribute("major").flatMap(Int.init),
              let minor = v.attribute("minor").flatMap(Int.init), let micro = v.attribute("micro").flatMap(Int.init)
        else { return nil }
        var machines: [QemuMachine] = []
        for m in root.children(named: "machine") {
            guard let name = m.attribute("name") else { return nil }
            machines.append(QemuMachine(name: name, alias: m.attribute("alias"), isDefault: m.attribute("default") == "yes",
                                        deprecated: m.attribute("deprecated") == "yes",
                                        maxCpus: m.attribute("maxCpus").flatMap { Int($0) } ?? 0))
        }
        return QemuCaps(identity: QemuBinaryIdentity(path: path, device: dev, inode: inode, size: size,
                                                     modified: mtime, changed: ctime),
                        version: QemuVersion(major: major, minor: minor, micro: micro, package: v.attribute("package") ?? ""),
                        machines: machines,
                        migrationModes: root.children(named: "migrationMode").compactMap { $0.attribute("name") },
                        auxRamShare: root.child("auxRamShare") != nil, kvmPresent: root.child("kvm") != nil,
                        cpuModels: cpuModels(root, accel: "tcg"),
                        kvm: root.child("kvmProbed") == nil ? nil
                            : QemuKVMCaps(cpuModels: cpuModels(root, accel: "kvm"),
                                          hypervProperties: root.children(named: "hyperv").compactMap { $0.attribute("name") }))
    }

    static func cpuModels(_ root: XMLElement, accel: String) -> [QemuCPUModel] {
        root.children(named: "cpuModel").compactMap { e in
            guard e.attribute("accel") == accel, let name = e.attribute("name") else { return nil }
            return QemuCPUModel(name: name, usable: e.attribute("usable").map { $0 == "yes" })
        }
    }
}
