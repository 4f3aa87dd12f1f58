import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi

/// libvirt 9.0's own domain XML (../shared/fixtures/libvirt-9.0/domains).
@Suite struct FixtureRoundTripTests {
    static let valid = (try? Fixtures.xmlFiles("domains/valid")) ?? []
    static let invalid = (try? Fixtures.xmlFiles("domains/invalid")) ?? []

    @Test func fixturesArePresent() {
        #expect(Self.valid.count >= 50)
        #expect(Self.invalid.count >= 8)
    }

    /// Each valid file validates against libvirt's schema, parses, and
    /// survives parse → format → parse: the same model, a stable document,
    /// nothing of the original lost.
    @Test(arguments: valid)
    func validFixtureRoundTrips(_ url: URL) throws {
        let original = try String(contentsOf: url, encoding: .utf8)
        let first = try DomainDef.parse(original, validate: true)
        let formatted = first.format()
        let second = try DomainDef.parse(formatted, validate: true)

        #expect(second == first)
        #expect(second.name == first.name && second.uuid == first.uuid && second.memory == first.memory)
        #expect(second.disks == first.disks && second.interfaces == first.interfaces)
        #expect(second.format() == formatted, "formatting is not stable")

        // Every element, attribute and text of the original is still there,
        // with its value, but for the values libvirt itself normalises.
        let before = try Canonical.facts(XMLParser.parse(original, url: url.path))
        let after = try Canonical.facts(XMLParser.parse(formatted, url: "formatted"))
        let lost = before.subtracting(after).filter { !Canonical.isNormalised($0) }
        #expect(lost.isEmpty, "lost: \(lost.sorted())")
    }

    /// Each invalid file is rejected by schema validation, with libvirt's
    /// message naming the offending element.
    @Test(arguments: invalid)
    func invalidFixtureIsRejected(_ url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        let error = #expect(throws: VirError.self) { try DomainDef.parse(text, validate: true) }
        #expect(error?.code == .xmlInvalidSchema)
        let message = error?.message ?? ""
        #expect(message.hasPrefix("XML document failed to validate against schema: Unable to validate doc against /usr/share/libvirt/schemas/domain.rng\n"))
        #expect(message.contains("Element ") || message.contains("element "), "message names no element: \(message)")
    }
}

/// A document reduced to a set of facts, so that two documents can be
/// compared whatever their layout or attribute order.
enum Canonical {
    static func facts(_ root: XMLElement) -> Set<String> {
        var out = Set<String>()
        walk(root, path: "", into: &out)
        return out
    }

    private static func walk(_ e: XMLElement, path: String, into out: inout Set<String>) {
        var counts: [String: Int] = [:]
        let here = path + "/" + e.name
        out.insert(here)
        for a in e.attributes { out.insert("\(here)/@\(a.name)=\(a.value)") }
        let text = e.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty { out.insert("\(here)=\(text)") }
        for child in e.elements {
            let n = counts[child.name, default: 0]
            counts[child.name] = n + 1
            walk(child, path: here + "[\(n)]", into: &out)
        }
    }

    /// Values libvirt rewrites on every format: memory sizes in KiB with
    /// `unit='KiB'`, the UUID in lower case, and PCI addresses in hex
    /// (`slot='4'` becomes `slot='0x04'`).
    static func isNormalised(_ fact: String) -> Bool {
        fact.hasPrefix("/domain[0]/memory") || fact.hasPrefix("/domain[0]/currentMemory") || fact.hasPrefix("/domain[0]/uuid")
            || ["domain", "bus", "slot", "function"].contains { fact.contains("/address/@\($0)=") }
    }
}
