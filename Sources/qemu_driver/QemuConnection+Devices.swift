import domain_conf
import libvirt_abi
import qemu_domain
import virdomainobjlist

/// libvirt's `virDomainDeviceModifyFlags`: which definitions a device
/// change affects (none: the running one if the domain runs, else the
/// persistent one).
public struct DomainDeviceModifyFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `VIR_DOMAIN_AFFECT_LIVE`.
    public static let live = DomainDeviceModifyFlags(rawValue: 1)
    /// `VIR_DOMAIN_AFFECT_CONFIG`.
    public static let config = DomainDeviceModifyFlags(rawValue: 2)
}

/// Devices added to and removed from a domain: its running instance, its
/// persistent definition, or both. This driver plugs disks; another kind
/// of device is refused in libvirt's words.
extension QemuConnection {
    /// libvirt: `qemuDomainAttachDeviceFlags` → `qemuDomainAttachDeviceLiveAndConfig`.
    public func attachDevice(_ dom: DomainRef, xml: String, flags: DomainDeviceModifyFlags) async throws(VirError) {
        try await modifyDevice(dom, xml: xml, flags: flags, api: "qemuDomainAttachDeviceFlags", attach: true)
    }

    /// libvirt: `qemuDomainDetachDeviceFlags` → `qemuDomainDetachDeviceLiveAndConfig`.
    public func detachDevice(_ dom: DomainRef, xml: String, flags: DomainDeviceModifyFlags) async throws(VirError) {
        try await modifyDevice(dom, xml: xml, flags: flags, api: "qemuDomainDetachDeviceFlags", attach: false)
    }

    private func modifyDevice(_ dom: DomainRef, xml: String, flags: DomainDeviceModifyFlags, api: String,
                              attach: Bool) async throws(VirError) {
        let unknown = flags.subtracting([.live, .config])
        guard unknown.isEmpty else {
            throw VirError.unsupportedFlags(unknown.rawValue, in: api)
        }
        let obj = try obj(dom)
        try await withJob(obj, .modify, api: api) { () throws(VirError) in
            let (live, config) = try modificationImpact(obj, live: flags.contains(.live), config: flags.contains(.config))
            let device = try DomainDeviceDef.parse(xml)
            var newConfig: DomainDef?
            if config {
                var def = obj.persistentDef
                guard case .disk(let disk) = device else {
                    throw VirError(.operationUnsupported, "persistent \(attach ? "attach" : "detach") of device '\(device.kindName)' is not supported")
                }
                if attach {
                    if def.disks.contains(where: { $0.targetDev == disk.targetDev }) {
                        throw VirError(.operationInvalid, "target \(disk.targetDev) already exists")
                    }
                    def.disks.append(disk)
                    try QemuDomainAddress.assign(&def)
                } else {
                    guard let i = def.disks.firstIndex(where: { $0.targetDev == disk.targetDev }) else {
                        throw VirError(.deviceMissing, "no target device \(disk.targetDev)")
                    }
                    def.disks.remove(at: i)
                }
                newConfig = def
            }
            if live {
                guard case .disk(let disk) = device else {
                    throw VirError(.operationUnsupported, "live \(attach ? "attach" : "detach") of device '\(device.kindName)' is not supported")
                }
                if attach {
                    try await QemuHotplug.attachDisk(state, obj, disk)
                } else {
                    try await QemuHotplug.detachDisk(state, obj, target: disk.targetDev)
                }
            }
            if let newConfig { try saveConfig(obj, newConfig) }
        }
    }
}
