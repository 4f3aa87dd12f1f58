import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// How this driver's `virsh domcapabilities` must relate to Debian's
/// libvirtd's for the same emulator, type and machine: the same where
/// both drivers run the same thing, and never more than libvirtd.
public enum DomainCapabilitiesGolden {
    /// Elements that must be identical: the emulator, type, machine,
    /// architecture and vCPU limit; the firmware (the same descriptors);
    /// `host-passthrough` and `maximum` with their `migratable` values;
    /// the custom CPU models (QEMU's, with libvirt's CPU map vendors);
    /// memory backings; USB redirection; channels; what neither offers.
    public static let identical = ["path", "domain", "machine", "arch", "vcpu", "os", "cpu/mode[@name='host-passthrough']",
                                   "cpu/mode[@name='maximum']", "cpu/mode[@name='custom']", "memoryBacking",
                                   "devices/redirdev", "devices/channel", "features/gic", "features/sev", "features/sgx"]

    /// The differences, as messages; empty when `ours` holds.
    public static func check(ours: String, libvirtd: String) -> [String] {
        guard let o = try? XMLDocument(xmlString: ours), let r = try? XMLDocument(xmlString: libvirtd) else {
            return ["a document does not parse"]
        }
        var problems: [String] = []
        for path in identical {
            let a = (try? o.nodes(forXPath: "/domainCapabilities/" + path))?.map { $0.xmlString } ?? []
            let b = (try? r.nodes(forXPath: "/domainCapabilities/" + path))?.map { $0.xmlString } ?? []
            if a != b || a.isEmpty { problems.append("\(path) differs:\n  ours:     \(a)\n  libvirtd: \(b)") }
        }
        // Never more than libvirtd: each supported='yes' of ours is one of
        // libvirtd's, each enum value of ours is in libvirtd's enum.
        for case let e as XMLElement in (try? o.nodes(forXPath: "//*[@supported='yes']")) ?? [] {
            let path = xpath(e)
            let theirs = (try? r.nodes(forXPath: path)) ?? []
            guard let t = theirs.first as? XMLElement, t.attribute(forName: "supported")?.stringValue == "yes" else {
                problems.append("\(path) is supported here, not by libvirtd")
                continue
            }
            for en in e.elements(forName: "enum") {
                let name = en.attribute(forName: "name")?.stringValue ?? ""
                let values = Set(en.elements(forName: "value").compactMap(\.stringValue))
                let known = Set(t.elements(forName: "enum").first { $0.attribute(forName: "name")?.stringValue == name }?
                    .elements(forName: "value").compactMap(\.stringValue) ?? [])
                if !values.isSubset(of: known) {
                    problems.append("\(path) enum \(name): \(values.subtracting(known).sorted()) not in libvirtd's")
                }
            }
        }
        return problems
    }

    /// `/domainCapabilities/devices/disk`, `.../mode[@name='x']`.
    static func xpath(_ e: XMLElement) -> String {
        var parts: [String] = []
        var node: XMLNode? = e
        while let n = node as? XMLElement {
            let name = n.name ?? ""
            if let v = n.attribute(forName: "name")?.stringValue, name == "mode" { parts.append("\(name)[@name='\(v)']") } else { parts.append(name) }
            node = n.parent
        }
        return "/" + parts.reversed().joined(separator: "/")
    }
}
