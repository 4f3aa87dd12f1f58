import libvirt_abi

/// The `<os>` element: guest type, architecture, machine and boot order.
///
/// libvirt: `virDomainOSDef` (src/conf/domain_conf.h).
public struct DomainOSDef: Hashable, Sendable {
    /// `hvm`, `xen`, `linux`, `exe`, `uml`.
    public var type: String
    public var arch: String?
    public var machine: String?
    /// Boot devices in order: `hd`, `cdrom`, `network`, `fd`.
    public var bootDevices: [String]
    /// The element as parsed: formatting starts from it.
    public var node: XMLElement

    public static let osTypes: Set<String> = ["hvm", "xen", "linux", "exe", "uml"]
    public static let bootDeviceNames: Set<String> = ["fd", "cdrom", "hd", "network"]
    static let order = ["type", "firmware", "loader", "nvram", "kernel", "initrd", "cmdline", "dtb", "acpi",
                        "boot", "bootmenu", "smbios", "bios", "init", "initarg", "initenv", "initdir",
                        "inituser", "initgroup", "idmap"]

    public init(type: String = "hvm", arch: String? = nil, machine: String? = nil, bootDevices: [String] = ["hd"]) {
        self.type = type
        self.arch = arch
        self.machine = machine
        self.bootDevices = bootDevices
        self.node = XMLElement("os")
    }

    init(element: XMLElement) throws(VirError) {
        node = element
        let typeNode = element.child("type")
        let t = typeNode?.text.trimmingXMLSpace()
        guard let t, !t.isEmpty else {
            throw VirError.conf(.xmlError, "an os <type> must be specified")
        }
        guard DomainOSDef.osTypes.contains(String(t)) else {
            throw VirError.conf(.configUnsupported, "unknown OS type '\(t)'")
        }
        type = String(t)
        arch = typeNode?.attribute("arch")
        machine = typeNode?.attribute("machine")
        bootDevices = []
        for boot in element.children(named: "boot") {
            guard let dev = boot.attribute("dev") else {
                throw VirError.conf(.internalError, "missing boot device")
            }
            guard DomainOSDef.bootDeviceNames.contains(dev) else {
                throw VirError.conf(.internalError, "unknown boot device '\(dev)'")
            }
            bootDevices.append(dev)
        }
    }

    var element: XMLElement {
        var e = node
        var typeNode = e.child("type") ?? XMLElement("type")
        typeNode.setAttribute("arch", arch)
        typeNode.setAttribute("machine", machine)
        typeNode.setText(type)
        e.setChild("type", typeNode, order: Self.order)
        let existing = node.children(named: "boot")
        let boots = bootDevices.enumerated().map { i, dev -> XMLElement in
            var b = i < existing.count ? existing[i] : XMLElement("boot")
            b.setAttribute("dev", dev)
            return b
        }
        e.setChildren("boot", boots, order: Self.order)
        return e
    }
}
