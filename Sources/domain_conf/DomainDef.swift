import libvirt_abi

/// A domain definition: the typed model of libvirt's domain XML that the
/// driver needs, plus everything else the XML holds, kept as it is.
///
/// libvirt: `virDomainDef` (src/conf/domain_conf.h); parsing is
/// `virDomainDefParseString`, formatting `virDomainDefFormat`.
public struct DomainDef: Equatable, Sendable {
    /// `<domain type=...>`: `kvm`, `qemu`, ...
    public var virtType: String
    /// The live id (`<domain id=...>`); `nil` when not running.
    public var id: Int?
    public var name: String
    public var uuid: DomainUUID
    public var title: String?
    public var description: String?
    /// `<memory>`, in KiB.
    public var memory: UInt64
    /// `<currentMemory>`, in KiB.
    public var currentMemory: UInt64
    /// Each vCPU, `<vcpu>` being their count and `<vcpus>` their states.
    public var vcpuList: [DomainVcpuDef]
    /// Whether `<vcpus>` is written (it was in the XML, or a vCPU was
    /// hot-plugged).
    ///
    /// libvirt: `virDomainDef.individualvcpus`.
    public var individualVcpus: Bool
    /// The maximum vCPU count, `<vcpu>`; setting it makes all of them
    /// online (`setVcpus(all:)`).
    public var vcpus: UInt32 {
        get { UInt32(vcpuList.count) }
        set { setVcpus(all: newValue) }
    }
    public var os: DomainOSDef
    /// `<devices><emulator>`.
    public var emulator: String?
    public var onPoweroff: String
    public var onReboot: String
    public var onCrash: String
    /// Names of the elements in `<features>` (`acpi`, `apic`, `pae`, ...).
    public var features: [String]
    public var disks: [DomainDiskDef]
    public var controllers: [DomainControllerDef]
    public var interfaces: [DomainNetDef]
    public var serials: [DomainChrDef]
    public var consoles: [DomainChrDef]
    public var channels: [DomainChrDef]
    public var inputs: [DomainInputDef]
    public var graphics: [DomainGraphicsDef]
    public var sounds: [DomainSoundDef]
    public var videos: [DomainVideoDef]
    public var redirdevs: [DomainRedirdevDef]
    /// libvirt 9.0 has one watchdog at most.
    public var watchdog: DomainWatchdogDef?
    public var rngs: [DomainRNGDef]
    public var panics: [DomainPanicDef]
    public var memballoon: DomainMemballoonDef?
    public var memoryBacking: DomainMemoryBackingDef?
    /// The `<domain>` element as parsed: formatting starts from it, so that
    /// what the model does not know is given back unchanged.
    public var node: XMLElement

    public static let virtTypes: Set<String> = ["none", "qemu", "kqemu", "kvm", "xen", "lxc", "uml", "openvz", "test",
                                               "vmware", "hyperv", "vbox", "phyp", "parallels", "bhyve", "vz"]
    public static let lifecycleActions: Set<String> = ["destroy", "restart", "rename-restart", "preserve",
                                                      "coredump-destroy", "coredump-restart"]

    /// Top-level elements in the order `virDomainDefFormat` writes them.
    static let order = ["name", "uuid", "genid", "title", "description", "metadata", "maxMemory", "memory",
                        "currentMemory", "blkiotune", "memtune", "memoryBacking", "vcpu", "vcpus", "iothreads",
                        "iothreadids", "defaultiothread", "cputune", "numatune", "resource", "sysinfo", "bootloader",
                        "bootloader_args", "os", "idmap", "features", "cpu", "clock", "on_poweroff", "on_reboot",
                        "on_crash", "on_lockfailure", "pm", "perf", "devices", "seclabel", "keywrap",
                        "launchSecurity", "qemu:commandline", "qemu:capabilities", "qemu:override",
                        "qemu:deprecation"]
    /// Devices in the order `virDomainDefFormat` writes them.
    static let deviceOrder = ["emulator", "disk", "controller", "lease", "filesystem", "interface", "smartcard",
                              "serial", "parallel", "console", "channel", "input", "tpm", "graphics", "sound",
                              "audio", "video", "hostdev", "redirdev", "redirfilter", "hub", "watchdog",
                              "memballoon", "rng", "panic", "shmem", "memory", "iommu", "vsock", "crypto"]

    /// A minimal definition, for code that builds domains itself.
    public init(name: String, uuid: DomainUUID = .generate(), virtType: String = "kvm", memoryKiB: UInt64,
                vcpus: UInt32 = 1, os: DomainOSDef = DomainOSDef(), emulator: String? = nil) {
        self.virtType = virtType
        self.id = nil
        self.name = name
        self.uuid = uuid
        self.memory = memoryKiB
        self.currentMemory = memoryKiB
        self.vcpuList = Array(repeating: DomainVcpuDef(online: true, hotpluggable: false), count: Int(vcpus))
        self.individualVcpus = false
        self.os = os
        self.emulator = emulator
        self.onPoweroff = "destroy"
        self.onReboot = "restart"
        self.onCrash = "destroy"
        self.features = []
        self.disks = []
        self.controllers = []
        self.interfaces = []
        self.serials = []
        self.consoles = []
        self.channels = []
        self.inputs = []
        self.graphics = []
        self.sounds = []
        self.videos = []
        self.redirdevs = []
        self.watchdog = nil
        self.rngs = []
        self.panics = []
        self.node = XMLElement("domain", children: [.element(XMLElement("devices"))])
    }

    // MARK: parsing

    /// Parses domain XML.
    ///
    /// - Parameters:
    ///   - url: the document's name in parser errors (libvirt uses
    ///     `(domain_definition)` for XML given to an API).
    ///   - validate: check against libvirt's schema first
    ///     (`VIR_DOMAIN_DEFINE_VALIDATE`, `virsh define --validate`).
    ///   - inactive: ignore the live id (`VIR_DOMAIN_DEF_PARSE_INACTIVE`).
    ///
    /// libvirt: `virDomainDefParseString`.
    public static func parse(_ xml: String, url: String = "(domain_definition)", validate: Bool = false,
                             inactive: Bool = true, schemaPath: String = RelaxNGSchema.domainSchemaPath) throws(VirError) -> DomainDef {
        let schema = validate ? try RelaxNGSchema.load(schemaPath) : nil
        let root = try XMLParser.parse(xml, url: url, rootElement: "domain", schema: schema)
        return try DomainDef(element: root, inactive: inactive)
    }

    /// Builds the model from a parsed `<domain>` element.
    ///
    /// libvirt: `virDomainDefParseNode`.
    public init(element root: XMLElement, inactive: Bool = true) throws(VirError) {
        node = root
        guard let vt = root.attribute("type") else {
            throw VirError.conf(.internalError, "missing domain type attribute")
        }
        guard DomainDef.virtTypes.contains(vt) else {
            throw VirError.conf(.configUnsupported, "invalid domain type \(vt)")
        }
        virtType = vt

        if !inactive, let idText = root.attribute("id") {
            guard let v = Int(idText), v >= 0 else {
                throw VirError.conf(.xmlError, "Invalid value for attribute 'id' in element 'domain': '\(idText)'. Expected non-negative integer value")
            }
            id = v
        } else {
            id = nil
        }

        guard let n = root.childText("name"), !n.isEmpty else {
            throw VirError.conf(.noName, nil)
        }
        try DomainDef.checkName(n)
        name = n

        if let u = root.childText("uuid") {
            guard let parsed = DomainUUID(u) else {
                throw VirError.conf(.internalError, "malformed uuid element")
            }
            uuid = parsed
        } else {
            uuid = .generate()
        }
        title = root.childText("title")
        if let t = title, t.contains("\n") {
            throw VirError.conf(.xmlError, "Domain title can't contain newlines")
        }
        description = root.childText("description")

        // Memory: <memory>, else the sum of the NUMA cells (libvirt's rule).
        if let m = root.child("memory") {
            memory = try ScaledInteger.parseMemory(m.text, unit: m.attribute("unit"), xpath: "./memory[1]")
        } else {
            var total: UInt64 = 0
            for cell in root.child("cpu")?.child("numa")?.children(named: "cell") ?? [] {
                guard let text = cell.attribute("memory") else { continue }
                total += try ScaledInteger.parseMemory(text, unit: cell.attribute("unit"), xpath: "./@memory")
            }
            memory = total
        }
        guard memory > 0 else {
            throw VirError.conf(.xmlError, "Memory size must be specified via <memory> or in the <numa> configuration")
        }
        if let c = root.child("currentMemory") {
            let cur = try ScaledInteger.parseMemory(c.text, unit: c.attribute("unit"), xpath: "./currentMemory[1]")
            currentMemory = (cur == 0 || cur > memory) ? memory : cur
        } else {
            currentMemory = memory
        }

        (vcpuList, individualVcpus) = try DomainDef.parseVcpus(root)

        guard let osNode = root.child("os") else {
            throw VirError.conf(.xmlError, "an os <type> must be specified")
        }
        os = try DomainOSDef(element: osNode)

        func action(_ element: String, _ fallback: String) throws(VirError) -> String {
            guard let text = root.childText(element) else { return fallback }
            guard DomainDef.lifecycleActions.contains(text) else {
                throw VirError.conf(.xmlError, "Invalid value for element '\(element)': '\(text)'")
            }
            return text
        }
        onPoweroff = try action("on_poweroff", "destroy")
        onReboot = try action("on_reboot", "restart")
        onCrash = try action("on_crash", "destroy")

        features = root.child("features")?.elements.map(\.name) ?? []
        memoryBacking = try root.child("memoryBacking").map { (e) throws(VirError) in try DomainMemoryBackingDef(element: e) }

        let devices = root.child("devices")
        emulator = devices?.childText("emulator").map { String($0.trimmingXMLSpace()) }
        disks = []
        controllers = []
        interfaces = []
        serials = []
        consoles = []
        channels = []
        inputs = []
        graphics = []
        sounds = []
        videos = []
        redirdevs = []
        watchdog = nil
        rngs = []
        panics = []
        memballoon = nil
        for e in devices?.elements ?? [] {
            switch e.name {
            case "disk":
                let disk = try DomainDiskDef(element: e)
                for other in disks { try DomainDiskDef.checkDuplicate(other, disk) }
                disks.append(disk)
            case "controller": controllers.append(try DomainControllerDef(element: e))
            case "interface": interfaces.append(try DomainNetDef(element: e))
            case "serial": serials.append(try DomainChrDef(element: e))
            case "console": consoles.append(try DomainChrDef(element: e))
            case "channel": channels.append(try DomainChrDef(element: e))
            case "input": inputs.append(try DomainInputDef(element: e))
            case "graphics": graphics.append(try DomainGraphicsDef(element: e))
            case "sound": sounds.append(try DomainSoundDef(element: e))
            case "video": videos.append(try DomainVideoDef(element: e))
            case "redirdev": redirdevs.append(try DomainRedirdevDef(element: e))
            case "watchdog":
                guard watchdog == nil else {
                    throw VirError.conf(.xmlError, "only a single watchdog device is supported")
                }
                watchdog = try DomainWatchdogDef(element: e)
            case "rng": rngs.append(try DomainRNGDef(element: e))
            case "panic": panics.append(try DomainPanicDef(element: e))
            case "memballoon": memballoon = try DomainMemballoonDef(element: e)
            default: break
            }
        }
    }

    /// libvirt's rules for names: not empty, no '/', no newline.
    ///
    /// libvirt: the checks in `virDomainDefPostParseCommon` and
    /// `virXMLCheckIllegalChars` (at define).
    public static func checkName(_ name: String) throws(VirError) {
        if name.isEmpty { throw VirError.conf(.noName, nil) }
        if name.contains("/") {
            throw VirError.conf(.xmlError, "name \(name) cannot contain '/'")
        }
        if let c = name.unicodeScalars.first(where: { $0 == "\n" }) {
            throw VirError.conf(.xmlDetail, "invalid char in name: \(c)")
        }
    }

    // MARK: formatting

    /// What to include when formatting (libvirt's `VIR_DOMAIN_XML_*`).
    public struct FormatFlags: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// `VIR_DOMAIN_XML_SECURE`: with the secrets (graphics passwords),
        /// which `withoutSecrets()` removes for every other caller.
        public static let secure = FormatFlags(rawValue: 1 << 0)
        /// `VIR_DOMAIN_XML_INACTIVE`: no live-only data (id, pty paths).
        public static let inactive = FormatFlags(rawValue: 1 << 1)
        /// `VIR_DOMAIN_XML_MIGRATABLE`: what the destination of a migration needs.
        public static let migratable = FormatFlags(rawValue: 1 << 3)
    }

    /// The definition as a client may see it without
    /// `VIR_DOMAIN_XML_SECURE`: no graphics password.
    ///
    /// libvirt: `virDomainGraphicsDefFormat` without
    /// `VIR_DOMAIN_DEF_FORMAT_SECURE`.
    public func withoutSecrets() -> DomainDef {
        var d = self
        for i in d.graphics.indices { d.graphics[i].node.setAttribute("passwd", nil) }
        return d
    }

    /// The definition as an element, the typed fields written over the
    /// element as parsed.
    public func element(_ flags: FormatFlags = []) -> XMLElement {
        let live = !flags.contains(.inactive) && !flags.contains(.migratable)
        var e = node
        e.name = "domain"
        e.setAttribute("type", virtType)
        e.setAttribute("id", live ? id.map(String.init) : nil)
        // libvirt writes type and id first, then the namespaces.
        e.attributes.sort { rank($0.name) < rank($1.name) }
        let o = DomainDef.order
        e.setChildText("name", name, order: o)
        e.setChildText("uuid", uuid.description, order: o)
        e.setChildText("title", title, order: o)
        e.setChildText("description", description, order: o)
        setMemory(&e, "memory", memory)
        setMemory(&e, "currentMemory", currentMemory)
        formatVcpus(&e)
        e.setChild("memoryBacking", memoryBacking?.element, order: o)
        e.setChild("os", os.element, order: o)
        if features.isEmpty {
            e.setChild("features", nil, order: o)
        } else {
            var f = node.child("features") ?? XMLElement("features")
            let kept = f.elements.filter { features.contains($0.name) }
            let added = features.filter { name in !kept.contains { $0.name == name } }.map { XMLElement($0) }
            f.children = (kept + added).map(XMLNode.element)
            e.setChild("features", f, order: o)
        }
        e.setChildText("on_poweroff", onPoweroff, order: o)
        e.setChildText("on_reboot", onReboot, order: o)
        e.setChildText("on_crash", onCrash, order: o)

        var devices = node.child("devices") ?? XMLElement("devices")
        let d = DomainDef.deviceOrder
        devices.setChildText("emulator", emulator, order: d)
        devices.setChildren("disk", disks.map(\.element), order: d)
        devices.setChildren("controller", controllers.map(\.element), order: d)
        devices.setChildren("interface", interfaces.map(\.element), order: d)
        devices.setChildren("serial", serials.map { $0.element(live: live) }, order: d)
        devices.setChildren("console", consoles.map { $0.element(live: live) }, order: d)
        devices.setChildren("channel", channels.map { $0.element(live: live) }, order: d)
        devices.setChildren("input", inputs.map(\.element), order: d)
        devices.setChildren("graphics", graphics.map { $0.element(live: live) }, order: d)
        devices.setChildren("sound", sounds.map(\.element), order: d)
        devices.setChildren("video", videos.map(\.element), order: d)
        devices.setChildren("redirdev", redirdevs.map(\.element), order: d)
        devices.setChild("watchdog", watchdog?.element, order: d)
        devices.setChildren("rng", rngs.map(\.element), order: d)
        devices.setChildren("panic", panics.map(\.element), order: d)
        devices.setChild("memballoon", memballoon?.element, order: d)
        e.setChild("devices", devices, order: o)
        return e
    }

    private func rank(_ attribute: String) -> Int {
        switch attribute {
        case "type": return 0
        case "id": return 1
        default: return 2
        }
    }

    private func setMemory(_ e: inout XMLElement, _ name: String, _ kib: UInt64) {
        var m = node.child(name) ?? XMLElement(name)
        m.setAttribute("unit", "KiB")
        m.setText(String(kib))
        e.setChild(name, m, order: DomainDef.order)
    }

    /// The definition as libvirt formats it.
    ///
    /// libvirt: `virDomainDefFormat`.
    public func format(_ flags: FormatFlags = []) -> String {
        element(flags).formatted()
    }

    /// Equal when they format to the same document: the typed fields and
    /// everything kept from the XML.
    public static func == (a: DomainDef, b: DomainDef) -> Bool {
        a.element() == b.element()
    }
}
