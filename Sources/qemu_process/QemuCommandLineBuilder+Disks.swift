import Foundation
import domain_conf
import libvirt_abi

/// Disks: a `-drive` and the `-device` of its bus.
extension QemuCommandLineBuilder {
    mutating func addDisks() throws(VirError) {
        var firstDiskBooted = false, firstCdromBooted = false
        for (i, disk) in def.disks.enumerated() {
            try Self.checkDisk(disk)
            let format = disk.format ?? "raw"
            let bus = QemuCommandLine.diskBus(disk, q35: isQ35)
            let alias = QemuCommandLine.diskAlias(disk, q35: isQ35)
            let driveID = QemuCommandLine.driveID(alias: alias ?? "\(bus.rawValue)-disk\(i)")
            var drive = "if=none,id=\(driveID)"
            if let path = disk.sourcePath {
                drive = "file=\(QemuCommandLine.escape(path)),format=\(format)," + drive
            } else if disk.device != .cdrom {
                throw VirError(.noSource, disk.targetDev)
            }
            if disk.readonly || disk.device == .cdrom { drive += ",readonly=on" }
            drive += try Self.driveOptions(disk)
            add("-drive", drive)
            let properties = try Self.diskDeviceProperties(disk)

            var boot = try deviceBootIndex(disk.node) ?? ""
            if disk.device == .disk, !firstDiskBooted, let b = bootIndex["hd"] { boot = ",bootindex=\(b)"; firstDiskBooted = true }
            if disk.device == .cdrom, !firstCdromBooted, let b = bootIndex["cdrom"] { boot = ",bootindex=\(b)"; firstCdromBooted = true }
            let ide = disk.device == .cdrom ? "ide-cd" : "ide-hd"
            let virtioDevice = try QemuCommandLine.virtioBlockDevice(disk, bus: bus)
            switch bus {
            case .ide:
                guard !isQ35 else {
                    throw QemuCommandLine.unsupported("IDE controllers are unsupported for this QEMU binary or machine type")
                }
                // Its drive address, else the place its name gives.
                let place = QemuCommandLine.driveAddress(disk).map { ($0.controller, $0.bus, $0.unit) }
                    ?? Self.diskIndex(disk.targetDev, prefix: "hd").map { (0, $0 / 2, $0 % 2) }
                guard let (controller, bus, unit) = place, controller == 0, bus < 2, unit < 2 else {
                    throw QemuCommandLine.unsupported("disk '\(disk.targetDev)' does not fit on the IDE bus (hda to hdd)")
                }
                add("-device", "\(ide),bus=ide.\(bus),unit=\(unit),drive=\(driveID),id=\(alias ?? "")\(properties)\(boot)")
            case .sata:
                let place = QemuCommandLine.driveAddress(disk).map { ($0.controller, $0.unit) }
                    ?? Self.diskIndex(disk.targetDev, prefix: "sd").map { (0, $0) }
                guard let (controller, unit) = place, unit < 6, !isQ35 || controller == 0 else {
                    throw QemuCommandLine.unsupported("disk '\(disk.targetDev)' does not fit on the SATA bus (sda to sdf)")
                }
                // q35's own AHCI is `ide`; an added one (i440fx) `sataN`.
                let bus = isQ35 ? "ide.\(unit)" : "sata\(controller).\(unit)"
                add("-device", "\(ide),bus=\(bus),drive=\(driveID),id=\(alias ?? "")\(properties)\(boot)")
            case .scsi:
                let place = QemuCommandLine.driveAddress(disk).map { ($0.controller, $0.bus, $0.target, $0.unit) }
                    ?? Self.diskIndex(disk.targetDev, prefix: "sd").map { (0, 0, 0, $0) }
                guard let (controller, bus, target, unit) = place, controller == 0, unit < 16384 else {
                    throw QemuCommandLine.unsupported("disk '\(disk.targetDev)' does not fit on the first SCSI controller")
                }
                let driver = disk.device == .cdrom ? "scsi-cd" : "scsi-hd"
                add("-device", "\(driver),bus=scsi\(controller).0,channel=\(bus),scsi-id=\(target),lun=\(unit),device_id=\(driveID),drive=\(driveID),id=\(alias ?? "")\(properties)\(boot)")
            case .virtio:
                guard disk.device == .disk else {
                    throw QemuCommandLine.unsupported("disk device 'cdrom' on bus 'virtio' is not supported")
                }
                guard let alias else {
                    throw VirError(.internalError, "invalid disk name '\(disk.targetDev)'")
                }
                add("-device", "\(virtioDevice)\(pciAddress(disk.address)),drive=\(driveID),id=\(alias)\(properties)\(boot)")
            default:
                throw QemuCommandLine.unsupported("disk bus '\(bus.rawValue)' of disk '\(disk.targetDev)' is not supported by this driver")
            }
        }
    }

    /// What this driver runs of a disk: a file or block device, a disk or
    /// a cdrom, raw or qcow2.
    static func checkDisk(_ disk: DomainDiskDef) throws(VirError) {
        guard disk.type == .file || disk.type == .block else {
            throw QemuCommandLine.unsupported("disk type '\(disk.type.rawValue)' of disk '\(disk.targetDev)' is not supported by this driver")
        }
        guard disk.device == .disk || disk.device == .cdrom else {
            throw QemuCommandLine.unsupported("disk device '\(disk.device.rawValue)' of disk '\(disk.targetDev)' is not supported by this driver")
        }
        let format = disk.format ?? "raw"
        guard format == "raw" || format == "qcow2" else {
            throw QemuCommandLine.unsupported("disk format '\(format)' of disk '\(disk.targetDev)' is not supported by this driver")
        }
    }

    /// `<driver cache= io= discard= detect_zeroes=>` as `-drive` options.
    ///
    /// libvirt: `qemuBuildDriveSourceStr` / `qemuBlockStorageSourceGetBlockdevProps`.
    static func driveOptions(_ disk: DomainDiskDef) throws(VirError) -> String {
        guard let driver = disk.node.child("driver") else { return "" }
        var out = ""
        func check(_ name: String, _ allowed: [String]) throws(VirError) -> String? {
            guard let v = driver.attribute(name) else { return nil }
            guard allowed.contains(v) else {
                throw QemuCommandLine.unsupported("disk driver \(name) '\(v)' of disk '\(disk.targetDev)' is not supported by this driver")
            }
            return v
        }
        if let v = try check("cache", ["default", "none", "writethrough", "writeback", "directsync", "unsafe"]), v != "default" {
            out += ",cache=\(v)"
        }
        if let v = try check("io", ["default", "native", "threads", "io_uring"]), v != "default" { out += ",aio=\(v)" }
        if let v = try check("discard", ["default", "unmap", "ignore"]), v != "default" { out += ",discard=\(v)" }
        if let v = try check("detect_zeroes", ["default", "off", "on", "unmap"]), v != "default" { out += ",detect-zeroes=\(v)" }
        let known: Set<String> = ["name", "type", "cache", "io", "discard", "detect_zeroes"]
        for a in driver.attributes where !known.contains(a.name) {
            throw QemuCommandLine.unsupported("disk driver attribute '\(a.name)' of disk '\(disk.targetDev)' is not supported by this driver")
        }
        return out
    }

    /// `<serial>`, `<wwn>` and `<shareable/>` as properties of the disk's
    /// `-device`; what else a disk may hold that changes the guest is
    /// refused.
    static func diskDeviceProperties(_ disk: DomainDiskDef) throws(VirError) -> String {
        var out = ""
        if let serial = disk.node.childText("serial") { out += ",serial=\(QemuCommandLine.escape(serial))" }
        if let wwn = disk.node.childText("wwn") { out += ",wwn=0x\(wwn)" }
        if disk.node.child("shareable") != nil { out += ",share-rw=on" }
        for name in ["iotune", "transient", "encryption", "blockio", "geometry", "vendor", "product", "auth", "mirror"]
            where disk.node.child(name) != nil {
            throw QemuCommandLine.unsupported("disk setting <\(name)> of disk '\(disk.targetDev)' is not supported by this driver")
        }
        return out
    }
}
