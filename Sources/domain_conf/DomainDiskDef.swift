import libvirt_abi

/// A `<disk>` device.
///
/// libvirt: `virDomainDiskDef` (src/conf/domain_conf.h).
public struct DomainDiskDef: Hashable, Sendable {
    public var type: DomainDiskType
    public var device: DomainDiskDevice
    /// `<driver name=...>` (`qemu`).
    public var driverName: String?
    /// `<driver type=...>`: the image format, `raw` or `qcow2`.
    public var format: String?
    /// The host path: `<source file=...>` or `<source dev=...>`.
    public var sourcePath: String?
    public var targetDev: String
    public var targetBus: DomainDiskBus?
    public var readonly: Bool
    /// `<address>`: PCI for a virtio disk (assigned at define), `drive`
    /// for IDE and SATA.
    public var address: DomainDeviceAddress?
    public var node: XMLElement

    static let order = ["driver", "auth", "source", "backingStore", "mirror", "target", "iotune", "boot",
                        "readonly", "shareable", "transient", "serial", "wwn", "vendor", "product",
                        "encryption", "alias", "address", "geometry", "blockio"]

    public init(type: DomainDiskType = .file, device: DomainDiskDevice = .disk, driverName: String? = "qemu", format: String? = "raw",
                sourcePath: String?, targetDev: String, targetBus: DomainDiskBus? = nil, readonly: Bool = false) {
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

    /// Two disks may not share a target.
    ///
    /// libvirt: `virDomainDiskDefCheckDuplicateInfo`.
    public static func checkDuplicate(_ a: DomainDiskDef, _ b: DomainDiskDef) throws(VirError) {
        guard a.targetDev == b.targetDev else { return }
        throw VirError.conf(.xmlError, "target '\(a.targetDev)' duplicated for disk sources '\(a.sourcePath ?? "<null>")' and '\(b.sourcePath ?? "<null>")'")
    }

    init(element: XMLElement) throws(VirError) {
        node = element
        let typeText = element.attribute("type") ?? "file"
        guard let type = DomainDiskType(rawValue: typeText) else {
            throw VirError.conf(.internalError, "unknown disk type '\(typeText)'")
        }
        self.type = type
        let deviceText = element.attribute("device") ?? "disk"
        guard let device = DomainDiskDevice(rawValue: deviceText) else {
            throw VirError.conf(.internalError, "unknown disk device '\(deviceText)'")
        }
        self.device = device
        let driver = element.child("driver")
        driverName = driver?.attribute("name")
        format = driver?.attribute("type")
        let source = element.child("source")
        sourcePath = type.sourceAttribute.flatMap { source?.attribute($0) }
        let target = element.child("target")
        guard let dev = target?.attribute("dev"), !dev.isEmpty else {
            throw VirError.conf(.noTarget, sourcePath)
        }
        targetDev = dev
        if let bus = target?.attribute("bus") {
            guard let b = DomainDiskBus(rawValue: bus) else {
                throw VirError.conf(.xmlError, "Invalid value for attribute 'bus' in element 'target': '\(bus)'.")
            }
            targetBus = b
        } else {
            targetBus = nil
        }
        readonly = element.child("readonly") != nil
        address = try DomainDeviceAddress.parse(device: element)
    }

    var element: XMLElement {
        var e = node
        e.setAttribute("type", type.rawValue)
        e.setAttribute("device", device.rawValue)
        if driverName != nil || format != nil || node.child("driver") != nil {
            var d = node.child("driver") ?? XMLElement("driver")
            d.setAttribute("name", driverName)
            d.setAttribute("type", format)
            e.setChild("driver", d.attributes.isEmpty && d.children.isEmpty ? nil : d, order: Self.order)
        }
        if let sourceAttribute = type.sourceAttribute {
            var s = node.child("source") ?? XMLElement("source")
            s.setAttribute(sourceAttribute, sourcePath)
            e.setChild("source", s.attributes.isEmpty && s.children.isEmpty ? nil : s, order: Self.order)
        }
        var t = node.child("target") ?? XMLElement("target")
        t.setAttribute("dev", targetDev)
        t.setAttribute("bus", targetBus?.rawValue)
        e.setChild("target", t, order: Self.order)
        e.setChild("readonly", readonly ? (node.child("readonly") ?? XMLElement("readonly")) : nil, order: Self.order)
        e.setAddress(address, kept: node.child("address"), order: Self.order)
        return e
    }
}
