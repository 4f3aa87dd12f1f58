import libvirt_abi

/// A `<disk>` device.
///
/// libvirt: `virDomainDiskDef` (src/conf/domain_conf.h).
public struct DomainDiskDef: Hashable, Sendable {
    /// `file`, `block`, `dir`, `network`, `volume`, `nvme`, `vhostuser`.
    public var type: String
    /// `disk`, `cdrom`, `floppy`, `lun`.
    public var device: String
    /// `<driver name=...>` (`qemu`).
    public var driverName: String?
    /// `<driver type=...>`: the image format, `raw` or `qcow2`.
    public var format: String?
    /// The host path: `<source file=...>` or `<source dev=...>`.
    public var sourcePath: String?
    public var targetDev: String
    /// `ide`, `scsi`, `virtio`, `sata`, `usb`, `fdc`, ...
    public var targetBus: String?
    public var readonly: Bool
    /// `<address>`: PCI for a virtio disk (assigned at define), `drive`
    /// for IDE and SATA.
    public var address: DomainDeviceAddress?
    public var node: XMLElement

    public static let types: Set<String> = ["file", "block", "dir", "network", "volume", "nvme", "vhostuser"]
    public static let devices: Set<String> = ["disk", "cdrom", "floppy", "lun"]
    static let order = ["driver", "auth", "source", "backingStore", "mirror", "target", "iotune", "boot",
                        "readonly", "shareable", "transient", "serial", "wwn", "vendor", "product",
                        "encryption", "alias", "address", "geometry", "blockio"]

    public init(type: String = "file", device: String = "disk", driverName: String? = "qemu", format: String? = "raw",
                sourcePath: String?, targetDev: String, targetBus: String? = nil, readonly: Bool = false) {
        self.type = type
        self.device = device
        self.driverName = driverName
        self.format = format
        self.sourcePath = sourcePath
        self.targetDev = targetDev
        self.targetBus = targetBus
        self.readonly = readonly
        self.address = nil
        self.node = XMLElement("disk")
    }

    init(element: XMLElement) throws(VirError) {
        node = element
        type = element.attribute("type") ?? "file"
        guard DomainDiskDef.types.contains(type) else {
            throw VirError.conf(.internalError, "unknown disk type '\(type)'")
        }
        device = element.attribute("device") ?? "disk"
        guard DomainDiskDef.devices.contains(device) else {
            throw VirError.conf(.internalError, "unknown disk device '\(device)'")
        }
        let driver = element.child("driver")
        driverName = driver?.attribute("name")
        format = driver?.attribute("type")
        let source = element.child("source")
        switch type {
        case "file": sourcePath = source?.attribute("file")
        case "block": sourcePath = source?.attribute("dev")
        case "dir": sourcePath = source?.attribute("dir")
        default: sourcePath = nil
        }
        let target = element.child("target")
        guard let dev = target?.attribute("dev"), !dev.isEmpty else {
            throw VirError.conf(.noTarget, sourcePath)
        }
        targetDev = dev
        targetBus = target?.attribute("bus")
        readonly = element.child("readonly") != nil
        address = try DomainDeviceAddress.parse(device: element)
    }

    var element: XMLElement {
        var e = node
        e.setAttribute("type", type)
        e.setAttribute("device", device)
        if driverName != nil || format != nil || node.child("driver") != nil {
            var d = node.child("driver") ?? XMLElement("driver")
            d.setAttribute("name", driverName)
            d.setAttribute("type", format)
            e.setChild("driver", d.attributes.isEmpty && d.children.isEmpty ? nil : d, order: Self.order)
        }
        let sourceAttribute = ["file": "file", "block": "dev", "dir": "dir"][type]
        if let sourceAttribute {
            var s = node.child("source") ?? XMLElement("source")
            s.setAttribute(sourceAttribute, sourcePath)
            e.setChild("source", s.attributes.isEmpty && s.children.isEmpty ? nil : s, order: Self.order)
        }
        var t = node.child("target") ?? XMLElement("target")
        t.setAttribute("dev", targetDev)
        t.setAttribute("bus", targetBus)
        e.setChild("target", t, order: Self.order)
        e.setChild("readonly", readonly ? (node.child("readonly") ?? XMLElement("readonly")) : nil, order: Self.order)
        e.setAddress(address, kept: node.child("address"), order: Self.order)
        return e
    }
}
