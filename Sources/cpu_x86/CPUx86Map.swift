import domain_conf
import libvirt_abi

/// libvirt's x86 CPU map: the vendors, the features and the models of
/// /usr/share/libvirt/cpu_map, each list in the order libvirt loads it
/// (index.xml's own entries, then each include in turn; in every file its
/// vendors, then its features, then its models). That order decides which
/// model a CPU is given and the order of its features.
///
/// libvirt: `virCPUx86Map`, `virCPUx86LoadMap` (src/cpu/cpu_x86.c) and
/// `cpuMapLoad` (src/cpu/cpu_map.c).
public struct CPUx86Map: Sendable {
    /// Where Debian's libvirt0 installs the map.
    public static let defaultDirectory = "/usr/share/libvirt/cpu_map"

    public private(set) var vendors: [CPUx86Vendor] = []
    public private(set) var features: [CPUx86Feature] = []
    public private(set) var models: [CPUx86Model] = []
    private var vendorIndex: [String: Int] = [:]
    private var featureIndex: [String: Int] = [:]
    private var modelIndex: [String: Int] = [:]

    /// Features with `migratable='no'`, in map order.
    ///
    /// libvirt: `virCPUx86Map.migrate_blockers`.
    public var migrateBlockers: [CPUx86Feature] { features.filter { !$0.migratable } }

    public func vendor(named name: String) -> CPUx86Vendor? { vendorIndex[name].map { vendors[$0] } }
    /// libvirt: `x86FeatureFind`.
    public func feature(named name: String) -> CPUx86Feature? { featureIndex[name].map { features[$0] } }
    /// libvirt: `x86ModelFind`.
    public func model(named name: String) -> CPUx86Model? { modelIndex[name].map { models[$0] } }

    /// The largest map file read (the features file is some 20 KiB).
    static let fileLimit = 1024 * 1024

    /// Loads the x86 map from a directory holding index.xml and the files
    /// it includes.
    ///
    /// libvirt: `cpuMapLoad("x86", x86VendorParse, x86FeatureParse,
    /// x86ModelParse, map)`.
    public static func load(directory: String = defaultDirectory) throws(VirError) -> CPUx86Map {
        try load { name throws(VirError) in
            let path = directory + "/" + name
            return (path, try HostFile.readText(path, limit: fileLimit))
        }
    }

    /// Loads the x86 map from the documents `file` gives for a name
    /// ("index.xml", then each include), as (path for messages, text).
    public static func load(file: (String) throws(VirError) -> (path: String, text: String)) throws(VirError) -> CPUx86Map {
        var map = CPUx86Map()
        let (indexPath, indexText) = try file("index.xml")
        let index = try XMLParser.parse(indexText, url: indexPath)
        guard let arch = index.children(named: "arch").first(where: { $0.attribute("name") == "x86" }) else {
            throw VirError(.internalError, "cannot find CPU map for x86 architecture", domain: .cpu)
        }
        try map.loadData(arch, file: indexPath)
        for include in arch.children(named: "include") {
            guard let filename = include.attribute("filename") else {
                throw VirError(.internalError, "Missing 'filename' in CPU map include", domain: .cpu)
            }
            let (path, text) = try file(filename)
            try map.loadData(try XMLParser.parse(text, url: path), file: path)
        }
        return map
    }

    /// The vendors, then the features, then the models that are children
    /// of `node`.
    ///
    /// libvirt: `loadData` for "vendor", "feature", "model".
    private mutating func loadData(_ node: XMLElement, file: String) throws(VirError) {
        for element in ["vendor", "feature", "model"] {
            for child in node.children(named: element) {
                guard let name = child.attribute("name") else {
                    throw VirError(.internalError, "cannot find \(element) name in CPU map '\(file)'", domain: .cpu)
                }
                switch element {
                case "vendor": try parseVendor(child, name: name)
                case "feature": try parseFeature(child, name: name)
                default: try parseModel(child, name: name)
                }
            }
        }
    }

    /// libvirt: `x86VendorParse`.
    private mutating func parseVendor(_ node: XMLElement, name: String) throws(VirError) {
        guard vendorIndex[name] == nil else {
            throw VirError(.internalError, "CPU vendor \(name) already defined", domain: .cpu)
        }
        guard let string = node.attribute("string"), !string.isEmpty else {
            throw VirError(.internalError, "Missing vendor string for CPU vendor \(name)", domain: .cpu)
        }
        let vendor = try CPUx86Vendor(name: name, string: string)
        vendorIndex[name] = vendors.count
        vendors.append(vendor)
    }

    /// libvirt: `x86FeatureParse`.
    private mutating func parseFeature(_ node: XMLElement, name: String) throws(VirError) {
        guard featureIndex[name] == nil else {
            throw VirError(.internalError, "CPU feature \(name) already defined", domain: .cpu)
        }
        let migratable = node.attribute("migratable") != "no"
        let data = try CPUx86Map.parseDataItems(node)
        featureIndex[name] = features.count
        features.append(CPUx86Feature(name: name, data: data, migratable: migratable))
    }

    /// The `<cpuid>` and `<msr>` children of a feature (`<alias>` skipped;
    /// any other element is read as an MSR).
    ///
    /// libvirt: `x86ParseDataItemList`.
    static func parseDataItems(_ node: XMLElement) throws(VirError) -> CPUx86Data {
        let elements = node.elements
        guard !elements.isEmpty else {
            throw VirError(.internalError, "no x86 CPU data found", domain: .cpu)
        }
        var data = CPUx86Data()
        var i = 0
        for element in elements where element.name != "alias" {
            if element.name == "cpuid" {
                guard let item = parseCPUID(element) else {
                    throw VirError(.internalError, "Invalid cpuid[\(i)]", domain: .cpu)
                }
                data.addItem(item)
            } else {
                guard let item = parseMSR(element) else {
                    throw VirError(.internalError, "Invalid msr[\(i)]", domain: .cpu)
                }
                data.addItem(item)
            }
            i += 1
        }
        return data
    }

    /// An attribute as `virXMLPropUInt(node, name, 0, flags, &value)`
    /// reads it: absent is 0 (or a failure when required).
    private static func uintAttribute(_ node: XMLElement, _ name: String, required: Bool) -> UInt32? {
        guard let text = node.attribute(name) else { return required ? nil : 0 }
        return LibvirtNumber.uip(text, base: 0)
    }

    /// libvirt: `x86ParseCPUID`.
    private static func parseCPUID(_ node: XMLElement) -> CPUx86DataItem? {
        guard let eaxIn = uintAttribute(node, "eax_in", required: true),
              let ecxIn = uintAttribute(node, "ecx_in", required: false),
              let eax = uintAttribute(node, "eax", required: false),
              let ebx = uintAttribute(node, "ebx", required: false),
              let ecx = uintAttribute(node, "ecx", required: false),
              let edx = uintAttribute(node, "edx", required: false) else { return nil }
        return .cpuid(eaxIn: eaxIn, ecxIn: ecxIn, eax: eax, ebx: ebx, ecx: ecx, edx: edx)
    }

    /// libvirt: `x86ParseMSR`.
    private static func parseMSR(_ node: XMLElement) -> CPUx86DataItem? {
        guard let index = uintAttribute(node, "index", required: true),
              let eax = uintAttribute(node, "eax", required: true),
              let edx = uintAttribute(node, "edx", required: true) else { return nil }
        return .msr(index: index, eax: eax, edx: edx)
    }

    /// An on/off (or yes/no) attribute: `nil` when absent.
    ///
    /// libvirt: `virXMLPropTristateSwitch`, `virXMLPropTristateBool`.
    private static func tristate(_ node: XMLElement, _ name: String, on: String, off: String,
                                 required: Bool) throws(VirError) -> Bool? {
        guard let value = node.attribute(name) else {
            guard !required else {
                throw VirError(.xmlError, "Missing required attribute '\(name)' in element '\(node.name)'", domain: .cpu)
            }
            return nil
        }
        switch value {
        case on: return true
        case off: return false
        default:
            throw VirError(.xmlError, "Invalid value for attribute '\(name)' in element '\(node.name)': '\(value)'.", domain: .cpu)
        }
    }

    /// libvirt: `x86ModelParse` (`x86ModelParseDecode`,
    /// `x86ModelParseAncestor`, `x86ModelParseSignatures`,
    /// `x86ModelParseVendor`, `x86ModelParseFeatures`, in that order).
    private mutating func parseModel(_ node: XMLElement, name: String) throws(VirError) {
        guard modelIndex[name] == nil else {
            throw VirError(.internalError, "Multiple definitions of CPU model '\(name)'", domain: .cpu)
        }

        guard let decode = node.child("decode") else {
            throw VirError(.internalError, "missing decode element in CPU model \(name)", domain: .cpu)
        }
        let decodeHost = try CPUx86Map.tristate(decode, "host", on: "on", off: "off", required: true) ?? false
        let decodeGuest = try CPUx86Map.tristate(decode, "guest", on: "on", off: "off", required: true) ?? false

        var vendor: String?
        var signatures: [CPUx86Signature] = []
        var data = CPUx86Data()
        if let ancestorNode = node.child("model") {
            guard let ancestorName = ancestorNode.attribute("name"), !ancestorName.isEmpty else {
                throw VirError(.internalError, "Missing ancestor's name in CPU model \(name)", domain: .cpu)
            }
            guard let ancestor = model(named: ancestorName) else {
                throw VirError(.internalError, "Ancestor model \(ancestorName) not found for CPU model \(name)", domain: .cpu)
            }
            vendor = ancestor.vendor
            signatures = ancestor.signatures
            data = ancestor.data
        }

        let signatureNodes = node.children(named: "signature")
        if !signatureNodes.isEmpty {
            // The model's own signatures replace the inherited ones.
            signatures = []
            for sig in signatureNodes {
                guard let family = LibvirtNumber.uip(sig.attribute("family") ?? "", base: 10), family != 0 else {
                    throw VirError(.internalError, "Invalid CPU signature family in model \(name)", domain: .cpu)
                }
                guard let model = LibvirtNumber.uip(sig.attribute("model") ?? "", base: 10) else {
                    throw VirError(.internalError, "Invalid CPU signature model in model \(name)", domain: .cpu)
                }
                var steppings: UInt16?
                if let text = sig.attribute("stepping"), !text.isEmpty {
                    guard let bits = LibvirtNumber.bitmap(text, size: 16) else {
                        throw VirError(.invalidArg, "Failed to parse bitmap '\(text)'", domain: .cpu)
                    }
                    steppings = bits.enumerated().reduce(UInt16(0)) { $1.element ? $0 | 1 << UInt16($1.offset) : $0 }
                }
                signatures.append(CPUx86Signature(family: family, model: model, steppings: steppings))
            }
        }

        if let vendorNode = node.child("vendor") {
            guard let vendorName = vendorNode.attribute("name"), !vendorName.isEmpty else {
                throw VirError(.internalError, "Invalid vendor element in CPU model \(name)", domain: .cpu)
            }
            guard self.vendor(named: vendorName) != nil else {
                throw VirError(.internalError, "Unknown vendor \(vendorName) referenced by CPU model \(name)", domain: .cpu)
            }
            vendor = vendorName
        }

        var removed: [String] = []
        for featureNode in node.children(named: "feature") {
            guard let featureName = featureNode.attribute("name") else {
                throw VirError(.internalError, "Missing feature name for CPU model \(name)", domain: .cpu)
            }
            guard let feature = feature(named: featureName) else {
                throw VirError(.internalError, "Feature \(featureName) required by CPU model \(name) not found", domain: .cpu)
            }
            if try CPUx86Map.tristate(featureNode, "removed", on: "yes", off: "no", required: false) == true {
                removed.append(featureName)
                continue
            }
            data.add(feature.data)
        }

        modelIndex[name] = models.count
        models.append(CPUx86Model(name: name, decodeHost: decodeHost, decodeGuest: decodeGuest, vendor: vendor,
                                  signatures: signatures, data: data, removedFeatures: removed))
    }
}
