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

    /// Changes a device in place: a disk's definition (`config`), a
    /// CD-ROM's or floppy's medium (`live`, `force`:
    /// `VIR_DOMAIN_DEVICE_MODIFY_FORCE` even when the guest locked the tray).
    ///
    /// libvirt: `qemuDomainUpdateDeviceFlags` with
    /// `qemuDomainUpdateDeviceConfig` and `qemuDomainChangeDiskLive`.
    public func updateDevice(_ dom: DomainRef, xml: String, flags: UInt32) async throws(VirError) {
        let force: UInt32 = 1 << 2
        let known = DomainDeviceModifyFlags([.live, .config]).rawValue | force
        guard flags & ~known == 0 else { throw VirError.unsupportedFlags(flags & ~known, in: "qemuDomainUpdateDeviceFlags") }
        let modify = DomainDeviceModifyFlags(rawValue: flags & ~force)
        let obj = try obj(dom)
        try await withJob(obj, .modify, api: "qemuDomainUpdateDeviceFlags") { () throws(VirError) in
            let (live, config) = try modificationImpact(obj, live: modify.contains(.live), config: modify.contains(.config))
            let device = try DomainDeviceDef.parse(xml)
            var newConfig: DomainDef?
            if config {
                guard case .disk(let disk) = device else {
                    throw VirError(.operationUnsupported, "persistent update of device '\(device.kindName)' is not supported")
                }
                var def = obj.persistentDef
                guard let i = def.disks.firstIndex(where: { $0.targetDev == disk.targetDev }) else {
                    throw VirError(.invalidArg, "target \(disk.targetDev) doesn't exist.")
                }
                def.disks[i] = disk
                try QemuDomainAddress.assign(&def)
                newConfig = def
            }
            if live {
                guard case .disk(let disk) = device else {
                    throw VirError(.operationUnsupported, "live update of device '\(device.kindName)' is not supported")
                }
                guard let orig = obj.def.disks.first(where: { $0.targetDev == disk.targetDev }) else {
                    throw VirError(.internalError, "disk '\(disk.targetDev)' not found")
                }
                // qemuDomainDiskChangeSupported, for what this driver models.
                if disk.device != orig.device { throw VirError(.configUnsupported, "cannot modify field 'device' of the disk") }
                if let bus = disk.targetBus, bus != orig.targetBus {
                    throw VirError(.configUnsupported, "cannot modify field 'bus' of the disk")
                }
                if disk.sourcePath != orig.sourcePath || (disk.sourcePath != nil && disk.type != orig.type) {
                    guard orig.device == .cdrom || orig.device == .floppy else {
                        throw VirError(.configUnsupported, "disk source can be changed only in removable drives")
                    }
                    try await QemuHotplug.changeMedia(state, obj, target: disk.targetDev, to: disk, force: flags & force != 0)
                }
            }
            if let newConfig { try saveConfig(obj, newConfig) }
        }
    }
}
