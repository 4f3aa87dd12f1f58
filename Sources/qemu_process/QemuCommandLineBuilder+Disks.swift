import Foundation
import domain_conf
import libvirt_abi

/// Disks: a `-drive` and the `-device` of its bus.
extension QemuCommandLineBuilder {
    mutating func addDisks() throws(VirError) {
        var firstDiskBooted = false, firstCdromBooted = false
        for (i, disk) in def.disks.enumerated() {
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
            let bus = disk.targetBus ?? (disk.targetDev.hasPrefix("vd") ? .virtio : disk.targetDev.hasPrefix("sd") ? (isQ35 ? .sata : .scsi) : .ide)
            let driveID = "drive-\(bus.rawValue)-disk\(i)"
            var drive = "if=none,id=\(driveID)"
            if let path = disk.sourcePath {
                drive = "file=\(QemuCommandLine.escape(path)),format=\(format)," + drive
            } else if disk.device != .cdrom {
                throw VirError(.noSource, disk.targetDev)
            }
            if disk.readonly || disk.device == .cdrom { drive += ",readonly=on" }
            add("-drive", drive)

            var boot = ""
            if disk.device == .disk, !firstDiskBooted, let b = bootIndex["hd"] { boot = ",bootindex=\(b)"; firstDiskBooted = true }
            if disk.device == .cdrom, !firstCdromBooted, let b = bootIndex["cdrom"] { boot = ",bootindex=\(b)"; firstCdromBooted = true }
            let ide = disk.device == .cdrom ? "ide-cd" : "ide-hd"
            switch bus {
            case .ide:
                guard !isQ35 else {
                    throw QemuCommandLine.unsupported("IDE controllers are unsupported for this QEMU binary or machine type")
                }
                guard let unit = Self.diskIndex(disk.targetDev, prefix: "hd"), unit < 4 else {
                    throw QemuCommandLine.unsupported("disk '\(disk.targetDev)' does not fit on the IDE bus (hda to hdd)")
                }
                add("-device", "\(ide),bus=ide.\(unit / 2),unit=\(unit % 2),drive=\(driveID),id=ide0-\(unit / 2)-\(unit % 2)\(boot)")
            case .sata:
                guard isQ35, let unit = Self.diskIndex(disk.targetDev, prefix: "sd"), unit < 6 else {
                    throw QemuCommandLine.unsupported("disk bus 'sata' of disk '\(disk.targetDev)' needs a q35 machine and sda to sdf")
                }
                add("-device", "\(ide),bus=ide.\(unit),drive=\(driveID),id=sata0-0-\(unit)\(boot)")
            case .virtio:
                guard disk.device == .disk else {
                    throw QemuCommandLine.unsupported("disk device 'cdrom' on bus 'virtio' is not supported")
                }
                add("-device", "virtio-blk-pci\(pciAddress(disk.address)),drive=\(driveID),id=\(QemuCommandLine.virtioDiskAlias(i))\(boot)")
            default:
                throw QemuCommandLine.unsupported("disk bus '\(bus.rawValue)' of disk '\(disk.targetDev)' is not supported by this driver")
            }
        }
    }
}
