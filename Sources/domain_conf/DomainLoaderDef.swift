import libvirt_abi

/// `<os><loader>` and `<os><nvram>`: the firmware image and, for UEFI in
/// split flash, the file that keeps its variables.
///
/// libvirt: `virDomainLoaderDef` (src/conf/domain_conf.h), parsed by
/// `virDomainLoaderDefParseXML`, formatted by `virDomainLoaderDefFormat`.
public struct DomainLoaderDef: Hashable, Sendable {
    /// `rom` (`-bios`) or `pflash` (flash devices).
    public enum LoaderType: String, Hashable, Sendable {
        case rom, pflash
    }

    /// The firmware image (the `<loader>` text).
    public var path: String?
    public var readonly: Bool?
    /// Flash writes restricted to SMM (`secure='yes'`).
    public var secure: Bool?
    public var type: LoaderType?
    /// No variable store at all (`stateless='yes'`).
    public var stateless: Bool?
    /// The variable store (the `<nvram>` text).
    public var nvram: String?
    /// The pristine variable store new ones are copied from.
    public var nvramTemplate: String?

    public init(path: String? = nil, readonly: Bool? = nil, secure: Bool? = nil, type: LoaderType? = nil,
                stateless: Bool? = nil, nvram: String? = nil, nvramTemplate: String? = nil) {
        self.path = path
        self.readonly = readonly
        self.secure = secure
        self.type = type
        self.stateless = stateless
        self.nvram = nvram
        self.nvramTemplate = nvramTemplate
    }

    /// Reads `<loader>` and `<nvram>` of an `<os>` element; `nil` when it
    /// has neither.
    init?(os: XMLElement) throws(VirError) {
        let loader = os.child("loader")
        let nvram = os.child("nvram")
        guard loader != nil || nvram != nil else { return nil }
        func yesNo(_ name: String) throws(VirError) -> Bool? {
            guard let v = loader?.attribute(name) else { return nil }
            switch v {
            case "yes": return true
            case "no": return false
            default:
                throw VirError.conf(.xmlError, "Invalid value for attribute '\(name)' in element 'loader': '\(v)'. Expected one of [yes, no]")
            }
        }
        readonly = try yesNo("readonly")
        secure = try yesNo("secure")
        stateless = try yesNo("stateless")
        if let t = loader?.attribute("type") {
            guard let type = LoaderType(rawValue: t) else {
                throw VirError.conf(.xmlError, "Invalid value for attribute 'type' in element 'loader': '\(t)'. Expected one of [rom, pflash]")
            }
            self.type = type
        } else {
            type = nil
        }
        path = loader.map { String($0.text.trimmingXMLSpace()) }.flatMap { $0.isEmpty ? nil : $0 }
        self.nvram = nvram.map { String($0.text.trimmingXMLSpace()) }.flatMap { $0.isEmpty ? nil : $0 }
        nvramTemplate = nvram?.attribute("template")
    }

    /// Whether `<nvram>` names its file in the way this model reads
    /// (`<nvram type=...><source .../></nvram>`, libvirt's network-backed
    /// store, is kept as written but not modelled).
    public static func isPlainNVRAM(_ os: XMLElement) -> Bool {
        os.child("nvram").map { $0.attribute("type") == nil && $0.elements.isEmpty } ?? true
    }

    /// Writes the model over the `<loader>` and `<nvram>` of `os`.
    func format(into os: inout XMLElement, order: [String]) {
        var loader = os.child("loader") ?? XMLElement("loader")
        // libvirt's order; attributes this model does not know follow.
        let known = ["readonly", "secure", "type", "stateless"]
        let others = loader.attributes.filter { !known.contains($0.name) }
        loader.attributes = []
        func yesNo(_ v: Bool?) -> String? { v.map { $0 ? "yes" : "no" } }
        loader.setAttribute("readonly", yesNo(readonly))
        loader.setAttribute("secure", yesNo(secure))
        loader.setAttribute("type", type?.rawValue)
        loader.setAttribute("stateless", yesNo(stateless))
        loader.attributes += others
        loader.children = path.map { [.text($0)] } ?? []
        let hasLoader = path != nil || !loader.attributes.isEmpty
        os.setChild("loader", hasLoader ? loader : nil, order: order)
        guard DomainLoaderDef.isPlainNVRAM(os) else { return }
        if nvram != nil || nvramTemplate != nil {
            var e = os.child("nvram") ?? XMLElement("nvram")
            e.attributes = []
            e.setAttribute("template", nvramTemplate)
            e.children = nvram.map { [.text($0)] } ?? []
            os.setChild("nvram", e, order: order)
        } else {
            os.setChild("nvram", nil, order: order)
        }
    }

    /// libvirt: `virDomainDefHasOldStyleUEFI`.
    public var isPflash: Bool { type == .pflash }

    /// libvirt: `virDomainDefHasOldStyleROUEFI`.
    public var isReadonlyPflash: Bool { isPflash && readonly == true }
}
