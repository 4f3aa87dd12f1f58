import Glibc
import domain_conf
import libvirt_abi
import qemu_monitor
import qemu_process
import virdomainobjlist
import virutil

/// Disks plugged into and unplugged from a running instance. A disk
/// plugged in joins the live definition with its address and alias, which
/// the status file keeps and a local migration's destination is started
/// with, so that the guest finds it where it was.
///
/// libvirt: src/qemu/qemu_hotplug.c (`qemuDomainAttachDiskGeneric`,
/// `qemuDomainDetachPrepDisk`, `qemuDomainRemoveDiskDevice`).
public enum QemuHotplug {
    /// How long a detach waits for the guest to let the device go
    /// (libvirt: `QEMU_UNPLUG_TIMEOUT`, 5 s on x86).
    public static let unplugTimeout: Duration = .seconds(5)

    static func isQ35(_ def: DomainDef) -> Bool { QemuDomainAddress.Chipset(machine: def.os.machine) == .q35 }

    /// Plugs `disk` into the running instance: `blockdev-add` of its image,
    /// `device_add` of the device at a free address, then the live
    /// definition and the status file.
    ///
    /// libvirt: `qemuDomainAttachDeviceDiskLive` → `qemuDomainAttachDiskGeneric`.
    public static func attachDisk(_ d: QemuDriverState, _ obj: DomainObj, _ disk: DomainDiskDef) async throws(VirError) {
        guard let instance = obj.qemu.instance else { throw VirError.notRunning }
        // libvirt reads the image's chain first (qemuDomainDetermineDiskChain).
        if let path = disk.sourcePath, access(path, F_OK) != 0 {
            throw VirError.system(errno, "Cannot access storage file '\(path)'")
        }
        let def = obj.def
        let q35 = isQ35(def)
        // libvirt validates the disk against the others first
        // (virDomainDefValidate), then checks the target.
        for other in def.disks { try DomainDiskDef.checkDuplicate(other, disk) }
        let bus = QemuCommandLine.diskBus(disk, q35: q35)
        guard bus == .virtio || bus == .scsi else {
            throw VirError(.operationUnsupported, "disk bus '\(bus.rawValue)' cannot be hotplugged.")
        }
        let (driveOptions, _) = try QemuCommandLine.checkDisk(disk)
        guard disk.device == .disk else {
            throw VirError(.operationUnsupported, "disk device '\(disk.device.rawValue)' cannot be hot-plugged by this driver")
        }
        guard driveOptions.isEmpty else {
            throw VirError(.operationUnsupported, "disk '\(disk.targetDev)': <driver> cache, io, discard and detect_zeroes cannot be hot-plugged by this driver")
        }
        guard let path = disk.sourcePath else { throw VirError(.noSource, disk.targetDev) }
        guard let alias = QemuCommandLine.diskAlias(disk, q35: q35) else {
            throw VirError(.internalError, "invalid disk name '\(disk.targetDev)'")
        }
        var plugged = disk
        plugged.targetBus = bus
        // As libvirt parses a device: a SCSI disk gets its drive address.
        try plugged.assignDriveAddress()
        var newDef = def
        newDef.disks.append(plugged)
        var device: [String: JSONValue] = ["id": .string(alias)]
        let virtioDevice = try QemuCommandLine.virtioBlockDevice(plugged, bus: bus)
        switch bus {
        case .virtio:
            let controllers = newDef.controllers.count
            try QemuDomainAddress.assign(&newDef)
            // q35: a device with no free root port would need a new one,
            // which cannot be plugged into pcie-root.
            guard newDef.controllers.count == controllers,
                  let address = newDef.disks.last?.address?.pci else {
                throw VirError(.internalError, "No more available PCI slots")
            }
            device["driver"] = .string(virtioDevice)
            device["bus"] = .string(address.bus == 0 ? (q35 ? "pcie.0" : "pci.0") : "pci.\(address.bus)")
            device["addr"] = .string(address.qemuAddr)
        default:
            guard def.controllers.contains(where: { $0.type == .scsi && ($0.index ?? 0) == 0 }) else {
                throw VirError(.operationUnsupported, "disk '\(disk.targetDev)' needs SCSI controller 0, which this driver does not hot-plug")
            }
            // The alias ends in the unit (`scsi0-0-0-N`).
            guard let unit = alias.split(separator: "-").last.flatMap({ Int($0) }), unit < 7 else {
                throw VirError(.operationUnsupported, "disk '\(disk.targetDev)' does not fit on the first SCSI controller (sda to sdg)")
            }
            device["driver"] = .string("scsi-hd")
            device["bus"] = .string("scsi0.0")
            device["channel"] = .int(0)
            device["scsi-id"] = .int(0)
            device["lun"] = .int(Int64(unit))
            device["device_id"] = .string(QemuCommandLine.driveID(alias: alias))
        }
        try QemuDomainDefSupport.check(newDef)
        let node = QemuCommandLine.driveID(alias: alias)
        device["drive"] = .string(node)
        if let serial = disk.node.childText("serial") { device["serial"] = .string(serial) }
        if let wwn = disk.node.childText("wwn"), let n = UInt64(wwn, radix: 16) { device["wwn"] = .uint(n) }
        if disk.node.child("shareable") != nil { device["share-rw"] = .bool(true) }
        if let order = disk.node.child("boot")?.attribute("order"), let n = Int64(order) { device["bootindex"] = .int(n) }
        let readOnly = disk.readonly
        let image: [String: JSONValue] = [
            "driver": .string(disk.format ?? "raw"), "node-name": .string(node), "read-only": .bool(readOnly),
            "file": .object(["driver": .string(disk.type == .block ? "host_device" : "file"), "filename": .string(path),
                             "read-only": .bool(readOnly)]),
        ]
        try give(d, instance, path)
        do throws(QemuMonitorError) {
            let monitor = try await instance.monitor()
            _ = try await monitor.execute("blockdev-add", image)
            do throws(QemuMonitorError) {
                _ = try await monitor.execute("device_add", device)
            } catch {
                await d.log.bestEffort("remove the image of a disk QEMU refused", domain: obj.name) {
                    _ = try await monitor.execute("blockdev-del", ["node-name": .string(node)])
                }
                throw error
            }
        } catch {
            QemuSecurityDAC.release(path, instanceDir: instance.paths.dir)
            throw VirError(error)
        }
        // Appended under the lock (a DEVICE_DELETED of another disk may
        // have changed the list meanwhile), the address as assigned.
        let added = newDef.disks[newDef.disks.count - 1]
        obj.qemu.withFilesLock {
            obj.withLock { $0.def.disks.append(added) }
            d.writeStatusLogged(obj)
        }
        d.emit(obj, kind: .deviceAdded(alias))
    }

    /// Asks QEMU to unplug the disk at `target` and waits a while for the
    /// guest to let it go; the disk leaves the live definition when QEMU
    /// says it is gone (`DEVICE_DELETED`), which may come later, as in
    /// libvirt, whose detach also succeeds once the request is sent.
    ///
    /// libvirt: `qemuDomainDetachDeviceLive` with `qemuDomainDetachPrepDisk`,
    /// `qemuDomainWaitForDeviceRemoval`.
    public static func detachDisk(_ d: QemuDriverState, _ obj: DomainObj, target: String) async throws(VirError) {
        guard let instance = obj.qemu.instance else { throw VirError.notRunning }
        let def = obj.def
        let q35 = isQ35(def)
        guard let disk = def.disks.first(where: { $0.targetDev == target }) else {
            throw VirError(.deviceMissing, "disk \(target) not found")
        }
        let bus = QemuCommandLine.diskBus(disk, q35: q35)
        guard bus == .virtio || bus == .scsi || bus == .usb else {
            throw VirError(.operationUnsupported, "This type of disk cannot be hot unplugged")
        }
        guard let alias = QemuCommandLine.diskAlias(disk, q35: q35) else {
            throw VirError(.internalError, "Cannot detach disk device with no alias")
        }
        do throws(QemuMonitorError) {
            _ = try await instance.monitor().execute("device_del", ["id": .string(alias)])
        } catch {
            throw VirError(error)
        }
        _ = await VirTime.poll(timeout: unplugTimeout, every: .milliseconds(20)) {
            !obj.def.disks.contains { $0.targetDev == target }
        }
    }

    /// QEMU's `DEVICE_DELETED` for a disk: it leaves the live definition and
    /// its image node is deleted (a disk the command line brought has its
    /// drive deleted with the device by QEMU itself).
    ///
    /// libvirt: `qemuProcessHandleDeviceDeleted` → `qemuDomainRemoveDiskDevice`.
    static func deviceDeleted(_ d: QemuDriverState, _ obj: DomainObj, alias: String) {
        if alias.hasPrefix("vcpu"), let id = Int(alias.dropFirst(4)) {
            // libvirt: qemuDomainRemoveVcpuAlias (no device-removed event).
            obj.qemu.withFilesLock {
                obj.withLock { QemuVcpuHotplug.noteUnplugged(id, in: &$0.def) }
                obj.qemu.setStatusExtra(.vcpuUnplugged, XMLElement(QemuStatusExtra.vcpuUnplugged.rawValue))
                d.writeStatusLogged(obj)
            }
            return
        }
        let removed = obj.qemu.withFilesLock { () -> DomainDiskDef? in
            let removed = obj.withLock { f -> DomainDiskDef? in
                let q35 = isQ35(f.def)
                guard let i = f.def.disks.firstIndex(where: { QemuCommandLine.diskAlias($0, q35: q35) == alias }) else {
                    return nil
                }
                return f.def.disks.remove(at: i)
            }
            if removed != nil { d.writeStatusLogged(obj) }
            return removed
        }
        guard let removed else { return }
        d.emit(obj, kind: .deviceRemoved(alias))
        guard let instance = obj.qemu.instance else { return }
        if let path = removed.sourcePath { QemuSecurityDAC.release(path, instanceDir: instance.paths.dir) }
        let node = QemuCommandLine.driveID(alias: alias)
        let log = d.log
        let name = obj.name
        Task.detached {
            do {
                _ = try await instance.monitor().execute("blockdev-del", ["node-name": .string(node)])
            } catch {
                log.info("image node \(node) of unplugged disk \(alias) not deleted (a drive of the command line goes with its device): \(error)",
                         metadata: ["domain": "\(name)", "step": "blockdev-del"])
            }
        }
    }
}

extension QemuHotplug {
    /// Puts `source` in a CD-ROM or floppy drive of the running guest (or,
    /// `nil`, ejects what is there), with `force` even when the guest has
    /// locked the tray; the live definition follows, so a local
    /// migration's new QEMU starts with the same medium.
    ///
    /// libvirt: `qemuDomainChangeEjectableMedia` (with `-drive`, as this
    /// driver runs disks: QMP `eject` and `blockdev-change-medium`, the
    /// commands libvirt used before `-blockdev`).
    public static func changeMedia(_ d: QemuDriverState, _ obj: DomainObj, target: String, to source: DomainDiskDef,
                                   force: Bool) async throws(VirError) {
        guard let instance = obj.qemu.instance else { throw VirError.notRunning }
        let def = obj.def
        guard let disk = def.disks.first(where: { $0.targetDev == target }) else {
            throw VirError(.internalError, "disk '\(target)' not found")
        }
        guard let alias = QemuCommandLine.diskAlias(disk, q35: isQ35(def)) else {
            throw VirError(.internalError, "missing disk device alias name for \(target)")
        }
        if let path = source.sourcePath, access(path, F_OK) != 0 {
            throw VirError.system(errno, "Cannot access storage file '\(path)'")
        }
        if let path = source.sourcePath { try give(d, instance, path) }
        do throws(QemuMonitorError) {
            let monitor = try await instance.monitor()
            if let path = source.sourcePath {
                _ = try await monitor.execute("blockdev-change-medium", [
                    "id": .string(alias), "filename": .string(path), "format": .string(source.format ?? "raw"),
                    "read-only-mode": .string("retain"), "force": .bool(force),
                ])
            } else {
                // Emptied, the drive's tray is closed again, as libvirt
                // leaves it (qemuDomainChangeMediaBlockdev).
                _ = try await monitor.execute("eject", ["id": .string(alias), "force": .bool(force)])
                _ = try await monitor.execute("blockdev-close-tray", ["id": .string(alias)])
            }
        } catch {
            if let path = source.sourcePath { QemuSecurityDAC.release(path, instanceDir: instance.paths.dir) }
            throw VirError(error)
        }
        if let old = disk.sourcePath { QemuSecurityDAC.release(old, instanceDir: instance.paths.dir) }
        obj.qemu.withFilesLock {
            obj.withLock { f in
                guard let i = f.def.disks.firstIndex(where: { $0.targetDev == target }) else { return }
                f.def.disks[i].type = source.type
                f.def.disks[i].sourcePath = source.sourcePath
            }
            d.writeStatusLogged(obj)
        }
    }
}

extension QemuHotplug {
    /// Gives `path` to the instance's QEMU when it runs as another user
    /// with dynamic ownership (taken back with `QemuSecurityDAC.release`,
    /// or when the instance is gone).
    ///
    /// libvirt: `qemuDomainStorageSourceAccessAllow` →
    /// `qemuSecuritySetImageLabel`.
    static func give(_ d: QemuDriverState, _ instance: QemuInstance, _ path: String) throws(VirError) {
        guard let identity = d.config.qemuIdentity, d.config.dynamicOwnership else { return }
        try QemuSecurityDAC.set(path, instanceDir: instance.paths.dir, identity: identity)
    }
}
