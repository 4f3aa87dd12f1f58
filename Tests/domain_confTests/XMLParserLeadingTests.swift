import Testing
import domain_conf
import libvirt_abi

/// `XMLParser.parseLeading`: the start of a document up to one element's
/// leaves, parsed as `parse` would parse it, and nothing after.
@Suite struct XMLParserLeadingTests {
    static let document = """
        <domstatus state='paused' reason='1' pid='42'>
          <taint flag='custom-monitor'/>
          <process starttime='7' emulator='/usr/bin/qemu &amp; co'>
            <binary dev='1' inode='2'/>
          </process>
          <!-- a note -->
          <monitor path='/run/m.sock' type='unix'/>
          <domain type='qemu' id='3'>
            <name>vm &lt;1&gt;</name>
            <uuid>6a0e8a34-1c2b-4d6e-9f70-000000000001</uuid>
            <memory unit='KiB'>16384</memory>
          </domain>
        </domstatus>
        """

    @Test func theLeadingPartIsWhatTheWholeParseGives() throws {
        let whole = try XMLParser.parse(Self.document, url: "s", rootElement: "domstatus")
        let (root, stop) = try XMLParser.parseLeading(Self.document, url: "s", rootElement: "domstatus", stop: "domain",
                                                      leaves: ["name", "uuid"])
        #expect(root.attributes == whole.attributes)
        #expect(root.children == Array(whole.children.prefix(4)), "every child before the domain, whole, comment included")
        let domain = try #require(stop)
        #expect(domain.attributes == whole.child("domain")?.attributes)
        #expect(domain.childText("name") == "vm <1>")
        #expect(domain.childText("uuid") == "6a0e8a34-1c2b-4d6e-9f70-000000000001")
        #expect(domain.child("memory") == nil, "not a leaf asked for")
        #expect(root.child("process")?.attribute("emulator") == "/usr/bin/qemu & co")
    }

    @Test func nothingWellAfterTheLeavesIsRead() throws {
        // Broken 8 KiB after the UUID (the reader parses its input 512
        // bytes at a time): the leading part is read; the whole parse
        // refuses it.
        let filler = "<description>" + String(repeating: "x", count: 8192) + "</description>"
        let broken = Self.document.replacingOccurrences(of: "<memory unit='KiB'>16384</memory>",
                                                        with: filler + "<memory unit='KiB'>16384</oops>")
        #expect(throws: VirError.self) { try XMLParser.parse(broken, url: "s", rootElement: "domstatus") }
        let (_, stop) = try XMLParser.parseLeading(broken, url: "s", rootElement: "domstatus", stop: "domain", leaves: ["name", "uuid"])
        #expect(stop?.childText("name") == "vm <1>")
    }

    @Test func whatComesBeforeIsCheckedAsParseChecksIt() {
        let early = Self.document.replacingOccurrences(of: "<binary dev='1' inode='2'/>", with: "<binary dev='1' inode='2'>")
        #expect(throws: VirError.self) {
            try XMLParser.parseLeading(early, url: "s", rootElement: "domstatus", stop: "domain", leaves: ["name", "uuid"])
        }
        #expect(throws: VirError.self) {
            try XMLParser.parseLeading(Self.document, url: "s", rootElement: "domain", stop: "domain", leaves: ["name"])
        }
        let doctype = "<!DOCTYPE domstatus [<!ENTITY e 'x'>]>\n" + Self.document
        #expect(throws: VirError.self) {
            try XMLParser.parseLeading(doctype, url: "s", rootElement: "domstatus", stop: "domain", leaves: ["name"])
        }
    }

    @Test func aDocumentWithoutTheStopElementIsReadWhole() throws {
        let (root, stop) = try XMLParser.parseLeading("<a x='1'><b>t</b><c/></a>", url: "s", rootElement: "a", stop: "domain",
                                                      leaves: ["name"])
        #expect(stop == nil)
        #expect(root == (try XMLParser.parse("<a x='1'><b>t</b><c/></a>", url: "s")))
    }
}
