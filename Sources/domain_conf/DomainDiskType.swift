/// Where a disk's data lives on the host (`<disk type=...>`).
///
/// libvirt: `virStorageType` (`VIR_ENUM_IMPL(virStorage, ...)`).
public enum DomainDiskType: String, CaseIterable, Hashable, Sendable {
    case file, block, dir, network, volume, nvme, vhostuser

    /// The `<source>` attribute that names the host path, for the types
    /// with one.
    public var sourceAttribute: String? {
        switch self {
        case .file: "file"
        case .block: "dev"
        case .dir: "dir"
        default: nil
        }
    }
}

/// How a disk appears to the guest (`<disk device=...>`).
///
/// libvirt: `virDomainDiskDevice` (`VIR_ENUM_IMPL(virDomainDiskDevice, ...)`).
public enum DomainDiskDevice: String, CaseIterable, Hashable, Sendable {
    case disk, cdrom, floppy, lun
}

/// The bus a disk is on (`<target bus=...>`).
///
/// libvirt: `virDomainDiskBus` (`VIR_ENUM_IMPL(virDomainDiskBus, ...)`).
public enum DomainDiskBus: String, CaseIterable, Hashable, Sendable {
    case ide, fdc, scsi, virtio, xen, usb, uml, sata, sd
}
