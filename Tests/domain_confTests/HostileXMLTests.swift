import Foundation
import Testing
import domain_conf
import libvirt_abi

/// Input meant to hurt the parser: each gets a clear error, quickly, and
/// nothing outside the document is ever read.
@Suite struct HostileXMLTests {
    static func domain(name: String = "guest", uuid: String? = nil, memory: String = "<memory unit='KiB'>65536</memory>",
                       prolog: String = "") -> String {
        """
        \(prolog)<domain type='qemu'>
          <name>\(name)</name>
          \(uuid.map { "<uuid>\($0)</uuid>" } ?? "")
          \(memory)
          <os><type arch='x86_64' machine='pc'>hvm</type></os>
        </domain>
        """
    }

    @Test func externalEntityIsRefusedAndNeverRead() {
        let xml = Self.domain(name: "&xxe;", prolog: "<?xml version='1.0'?><!DOCTYPE domain [<!ENTITY xxe SYSTEM 'file:///etc/hostname'>]>")
        let error = #expect(throws: VirError.self) { try DomainDef.parse(xml) }
        let hostname = (try? String(contentsOfFile: "/etc/hostname", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "\u{0}"
        #expect(error?.message.contains("document type declaration") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(hostname) == false)
    }

    @Test func entityExpansionBombIsRefused() {
        var decls = "<!ENTITY a0 'lollollollollollollollollollol'>"
        for i in 1...12 { decls += "<!ENTITY a\(i) '" + String(repeating: "&a\(i - 1);", count: 10) + "'>" }
        let xml = Self.domain(name: "&a12;", prolog: "<!DOCTYPE domain [\(decls)]>")
        let start = ContinuousClock.now
        #expect(throws: VirError.self) { try DomainDef.parse(xml) }
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func dtdPointingToAFileIsNotLoaded() {
        let xml = Self.domain(prolog: "<!DOCTYPE domain SYSTEM '/etc/passwd'>")
        let error = #expect(throws: VirError.self) { try DomainDef.parse(xml) }
        #expect(error?.message.contains("document type declaration") == true)
        #expect(error?.message.contains("root:") == false)
    }

    @Test func undefinedEntityIsAParseError() {
        let error = #expect(throws: VirError.self) { try DomainDef.parse(Self.domain(name: "&nope;")) }
        #expect(error?.code == .xmlDetail)
        #expect(error?.message.contains("Entity 'nope' not defined") == true)
    }

    @Test func hundredMebibytesIsRefusedBeforeParsing() {
        let padding = String(repeating: "<!-- padding padding padding padding padding padding padding -->\n", count: 100 * 1024 * 1024 / 64)
        let xml = Self.domain() + padding
        let start = ContinuousClock.now
        let error = #expect(throws: VirError.self) { try DomainDef.parse(xml) }
        #expect(error?.code == .xmlError)
        #expect(error?.message.contains("over the limit of 4194304 bytes") == true)
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func malformedXMLGivesLibvirtsContext() {
        let xml = "<domain type='kvm'>\n  <name>x</nam>\n</domain>\n"
        let error = #expect(throws: VirError.self) { try DomainDef.parse(xml) }
        #expect(error?.message == """
            (domain_definition):2: Opening and ending tag mismatch: name line 2 and nam
              <name>x</nam>
            ---------------^
            """)
    }

    @Test func nameWithSlash() {
        let error = #expect(throws: VirError.self) { try DomainDef.parse(Self.domain(name: "a/b")) }
        #expect(error?.message == "XML error: name a/b cannot contain '/'")
    }

    @Test func nameWithNewline() {
        let error = #expect(throws: VirError.self) { try DomainDef.parse(Self.domain(name: "a\nb")) }
        #expect(error?.message == "invalid char in name: \n")
    }

    @Test func emptyName() {
        let error = #expect(throws: VirError.self) { try DomainDef.parse(Self.domain(name: "")) }
        #expect(error?.code == .noName)
        #expect(error?.message == "missing name information")
    }

    @Test(arguments: ["zz", "c7a5fdbd-edaf-9455-926a-d65c16db180", "c7a5fdbd-edaf-9455-926a-d65c16db18091", "c7a5fdbd+edaf-9455-926a-d65c16db1809"])
    func malformedUUID(_ uuid: String) {
        let error = #expect(throws: VirError.self) { try DomainDef.parse(Self.domain(uuid: uuid)) }
        #expect(error?.message == "internal error: malformed uuid element")
    }

    @Test func negativeMemory() {
        let error = #expect(throws: VirError.self) { try DomainDef.parse(Self.domain(memory: "<memory>-5</memory>")) }
        #expect(error?.message == "XML error: Invalid value '-5' for element or attribute './memory[1]'")
    }

    @Test func absurdMemory() {
        let e1 = #expect(throws: VirError.self) { try DomainDef.parse(Self.domain(memory: "<memory unit='EiB'>100</memory>")) }
        #expect(e1?.message == "numerical overflow: value too large: 100EiB")
        let e2 = #expect(throws: VirError.self) { try DomainDef.parse(Self.domain(memory: "<memory>99999999999999999999999</memory>")) }
        #expect(e2?.message == "XML error: Invalid value '99999999999999999999999' for element or attribute './memory[1]'")
        let e3 = #expect(throws: VirError.self) { try DomainDef.parse(Self.domain(memory: "<memory unit='parsecs'>1</memory>")) }
        #expect(e3?.message == "invalid argument: unknown suffix 'parsecs'")
        let e4 = #expect(throws: VirError.self) { try DomainDef.parse(Self.domain(memory: "<memory>0</memory>")) }
        #expect(e4?.message == "XML error: Memory size must be specified via <memory> or in the <numa> configuration")
    }

    @Test func wrongRootElement() {
        let error = #expect(throws: VirError.self) { try DomainDef.parse("<network><name>n</name></network>") }
        #expect(error?.message == "XML error: expecting root element of 'domain', not 'network'")
    }
}
