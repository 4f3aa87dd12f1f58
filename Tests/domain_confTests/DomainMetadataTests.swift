import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi

/// A domain's `<metadata>`: written as libvirt writes it (libxml2's
/// `xmlNodeDump`), and applications' elements got, set and removed by
/// namespace as `virsh metadata` does.
@Suite struct DomainMetadataTests {
    /// libvirt's tests/qemuxml2xmloutdata/*-graphics.*.xml hold this
    /// fixture's metadata after libvirt formatted it: double quotes.
    @Test func metadataIsWrittenAsLibxml2WritesIt() throws {
        let url = Fixtures.libvirt.appendingPathComponent("domains/valid/aarch64-virt-graphics.xml")
        let def = try DomainDef.parse(try String(contentsOf: url, encoding: .utf8))
        let text = def.format()
        #expect(text.contains("""
              <metadata>
                <libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0">
                  <libosinfo:os id="http://fedoraproject.org/fedora/29"/>
                </libosinfo:libosinfo>
              </metadata>

            """), "\(text)")
        // libvirt's own elements keep its single quotes.
        #expect(text.contains("<memory unit='KiB'>"))
    }

    @Test func anElementIsSetGotAndRemovedByItsNamespace() throws {
        var def = try DomainDef.parse("<domain type='qemu'><name>m</name><memory>1024</memory><os><type>hvm</type></os></domain>")
        #expect(DomainMetadata.element(def, namespace: "http://app1.org/") == nil)
        try DomainMetadata.set(&def, xml: #"<foo a="x&quot;" xmlns:o="urn:o"><bar>1 &amp; 2</bar><o:q/></foo>"#, key: "app1",
                               namespace: "http://app1.org/")
        #expect(def.format().contains("""
              <metadata>
                <app1:foo xmlns:o="urn:o" xmlns:app1="http://app1.org/" a="x&quot;">
                  <app1:bar>1 &amp; 2</app1:bar>
                  <o:q/>
                </app1:foo>
              </metadata>
            """))
        #expect(DomainMetadata.element(def, namespace: "http://app1.org/") == """
            <foo xmlns:o="urn:o" a="x&quot;">
              <bar>1 &amp; 2</bar>
              <o:q/>
            </foo>
            """)
        // Another namespace's element is found on its own; setting one
        // namespace again replaces its element only.
        try DomainMetadata.set(&def, xml: "<two/>", key: "app2", namespace: "urn:two")
        try DomainMetadata.set(&def, xml: "<again/>", key: "app1", namespace: "http://app1.org/")
        #expect(DomainMetadata.element(def, namespace: "urn:two") == "<two/>")
        #expect(DomainMetadata.element(def, namespace: "http://app1.org/") == "<again/>")
        // Formatted, parsed again: the same.
        let reparsed = try DomainDef.parse(def.format())
        #expect(DomainMetadata.element(reparsed, namespace: "urn:two") == "<two/>")

        try DomainMetadata.set(&def, xml: nil, key: nil, namespace: "urn:two")
        #expect(DomainMetadata.element(def, namespace: "urn:two") == nil)
        #expect(DomainMetadata.element(def, namespace: "http://app1.org/") == "<again/>")
    }

    @Test func badKeysAndBadXMLAreRefusedInLibvirtsWords() throws {
        var def = try DomainDef.parse("<domain type='qemu'><name>m</name><memory>1024</memory><os><type>hvm</type></os></domain>")
        for key in ["1x", "a:b", "", "a b"] {
            let e = #expect(throws: VirError.self) { try DomainMetadata.set(&def, xml: "<a/>", key: key, namespace: "urn:x") }
            #expect(e?.message == "internal error: failed to validate prefix for a new XML namespace", "\(key)")
        }
        let taken = #expect(throws: VirError.self) {
            try DomainMetadata.set(&def, xml: "<a xmlns:k='urn:other'/>", key: "k", namespace: "urn:x")
        }
        #expect(taken?.message == "internal error: failed to create a new XML namespace")
        let bad = #expect(throws: VirError.self) { try DomainMetadata.set(&def, xml: "<a", key: "k", namespace: "urn:x") }
        #expect(bad?.message.hasPrefix("(metadata_xml):1: ") == true, "\(String(describing: bad))")
        #expect(def.node.child("metadata") == nil, "nothing changed")
    }
}
