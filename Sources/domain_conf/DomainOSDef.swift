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
    /// `<os firmware=...>`: `bios` or `efi`, for the driver to choose an
    /// image of that kind (libvirt: `virDomainOsDefFirmware`).
    public var firmware: String?
    /// `<os><firmware><feature enabled=... name=.../>`: what the chosen
    /// firmware must (`true`) or must not (`false`) have, by name
    /// (`secure-boot`, `enrolled-keys`).
    public var firmwareFeatures: [String: Bool]
    /// `<loader>` and `<nvram>`.
    public var loader: DomainLoaderDef?
    /// The element as parsed: formatting starts from it.
    public var node: XMLElement

    public static let osTypes: Set<String> = ["hvm", "xen", "linux", "exe", "uml"]
    public static let bootDeviceNames: Set<String> = ["fd", "cdrom", "hd", "network"]
    public static let firmwareTypes: Set<String> = ["bios", "efi"]
    public static let firmwareFeatureNames: Set<String> = ["enrolled-keys", "secure-boot"]
    static let order = ["type", "firmware", "loader", "nvram", "kernel", "initrd", "cmdline", "dtb", "acpi",
                        "boot", "bootmenu", "smbios", "bios", "init", "initarg", "initenv", "initdir",
                        "inituser", "initgroup", "idmap"]

    /// The order of `<os>`'s children as libvirt writes them.
    public static var formatOrder: [String] { order }

    public init(type: String = "hvm", arch: String? = nil, machine: String? = nil, bootDevices: [String] = ["hd"]) {
        self.type = type
        self.arch = arch
        self.machine = machine
        self.bootDevices = bootDevices
        self.firmware = nil
        self.firmwareFeatures = [:]
        self.loader = nil
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
        if let fw = element.attribute("firmware") {
            guard DomainOSDef.firmwareTypes.contains(fw) else {
                throw VirError.conf(.xmlError, "Invalid value for attribute 'firmware' in element 'os': '\(fw)'. Expected one of [bios, efi]")
            }
            firmware = fw
        } else {
            firmware = nil
        }
        firmwareFeatures = [:]
        for feature in element.child("firmware")?.children(named: "feature") ?? [] {
            guard let name = feature.attribute("name") else {
                throw VirError.conf(.xmlError, "Missing required attribute 'name' in element 'feature'")
            }
            guard DomainOSDef.firmwareFeatureNames.contains(name) else {
                throw VirError.conf(.xmlError, "Invalid value for attribute 'name' in element 'feature': '\(name)'. Expected one of [enrolled-keys, secure-boot]")
            }
            switch feature.attribute("enabled") {
            case "yes": firmwareFeatures[name] = true
            case "no": firmwareFeatures[name] = false
            case let v?:
                throw VirError.conf(.xmlError, "Invalid value for attribute 'enabled' in element 'feature': '\(v)'. Expected one of [yes, no]")
            case nil:
                throw VirError.conf(.xmlError, "Missing required attribute 'enabled' in element 'feature'")
            }
        }
        loader = try DomainLoaderDef(os: element)
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
        e.setAttribute("firmware", firmware)
        if firmwareFeatures.isEmpty {
            e.setChild("firmware", nil, order: Self.order)
        } else {
            // libvirt writes them in its enum's order: enrolled-keys, secure-boot.
            let features = firmwareFeatures.sorted { $0.key < $1.key }.map { name, on in
                XMLElement("feature", attributes: [XMLAttribute("enabled", on ? "yes" : "no"), XMLAttribute("name", name)])
            }
            e.setChild("firmware", XMLElement("firmware", children: features.map(XMLNode.element)), order: Self.order)
        }
        if let loader {
            loader.format(into: &e, order: Self.order)
        } else {
            e.setChild("loader", nil, order: Self.order)
            if DomainLoaderDef.isPlainNVRAM(e) { e.setChild("nvram", nil, order: Self.order) }
        }
        return e
    }
}
