import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_migration

@Suite struct QemuMigrationCookieTests {
    /// The host libvirt's own test pretends to be (tests/virhostidmock.c).
    static let testHost = DomainUUID("4a802f00-4cba-5df6-9679-a08c4c5b577f")!
    static let otherHost = DomainUUID("8b3f4dc4-6a8e-5f9b-94a5-4c35babd8d95")!
    static let vm = DomainUUID("dcf47dbd-46d1-4d5b-b442-262a806a333a")!

    /// libvirt's xml2xml test: parse the cookie another host sent, then
    /// format this host's cookie with everything the parsed one carries.
    @Test func libvirtFixtureParsesAndFormatsAsLibvirtDoes() throws {
        let dir = Fixtures.libvirt.appendingPathComponent("migration-cookies")
        let input = try String(contentsOf: dir.appendingPathComponent("basic-xml2xml-in.xml"), encoding: .utf8)
        let expected = try String(contentsOf: dir.appendingPathComponent("basic-xml2xml-out.xml"), encoding: .utf8)
        var cookie = try QemuMigrationCookie.parse(input, name: "upstream", uuid: Self.vm, localHostUUID: Self.testHost, local: false)
        #expect(cookie.hostname == "hostname2")
        #expect(cookie.hostUUID == Self.otherHost)
        cookie.hostname = "hostname"
        cookie.hostUUID = Self.testHost
        #expect(cookie.format() == expected)
    }

    @Test func everyPartRoundTrips() throws {
        var cookie = QemuMigrationCookie(name: "vm", uuid: Self.vm, hostname: "h", hostUUID: Self.otherHost)
        cookie.mandatoryFeatures = ["persistent"]
        cookie.persistent = DomainDef(name: "vm", uuid: Self.vm, virtType: "qemu", memoryKiB: 16384)
        var stats = QemuMigrationStatistics()
        stats.started = 1700000000000
        stats.stopped = 1700000000100
        stats.timeElapsed = 120
        stats.downtime = 4
        stats.setupTime = 1
        stats.memoryTotal = 17309696
        stats.memoryProcessed = 123
        stats.memoryConstant = 4000
        stats.memoryPageSize = 4096
        cookie.statistics = stats
        cookie.capabilities = [("x-ignore-shared", true)]
        let text = cookie.format()
        #expect(text.contains("  <feature name='persistent'/>\n"))
        #expect(text.contains("    <downtime>4</downtime>\n"))
        #expect(text.contains("    <cap name='x-ignore-shared' auto='yes'/>\n"))
        let again = try QemuMigrationCookie.parse(text, name: "vm", uuid: Self.vm, localHostUUID: Self.testHost, local: false)
        #expect(again == cookie)
        #expect(again.statistics == stats)
        #expect(again.persistent?.name == "vm")
    }

    static let basic = """
        <qemu-migration>
          <name>vm</name>
          <uuid>dcf47dbd-46d1-4d5b-b442-262a806a333a</uuid>
          <hostname>h</hostname>
          <hostuuid>8b3f4dc4-6a8e-5f9b-94a5-4c35babd8d95</hostuuid>
        </qemu-migration>
        """

    @Test func sameHostWithoutLocalIsLibvirtsRefusal() {
        let error = #expect(throws: VirError.self) {
            try QemuMigrationCookie.parse(Self.basic, name: "vm", uuid: Self.vm, localHostUUID: Self.otherHost, local: false)
        }
        #expect(error?.message == "internal error: Attempt to migrate guest to the same host 8b3f4dc4-6a8e-5f9b-94a5-4c35babd8d95")
    }

    @Test func localNeedsTheSameHost() throws {
        _ = try QemuMigrationCookie.parse(Self.basic, name: "vm", uuid: Self.vm, localHostUUID: Self.otherHost, local: true)
        let error = #expect(throws: VirError.self) {
            try QemuMigrationCookie.parse(Self.basic, name: "vm", uuid: Self.vm, localHostUUID: Self.testHost, local: true)
        }
        #expect(error?.code == .operationInvalid)
        #expect(error?.message.contains("local migration (VIR_MIGRATE_LOCAL) needs the same host") == true)
    }

    @Test(arguments: [
        ("<name>vm</name>", "", "internal error: missing name element in migration data"),
        ("<name>vm</name>", "<name>other</name>", "internal error: Incoming cookie data had unexpected name other vs vm"),
        ("<uuid>dcf47dbd-46d1-4d5b-b442-262a806a333a</uuid>", "", "internal error: missing uuid element in migration data"),
        ("<uuid>dcf47dbd-46d1-4d5b-b442-262a806a333a</uuid>", "<uuid>00000000-0000-0000-0000-000000000001</uuid>",
         "internal error: Incoming cookie data had unexpected UUID 00000000-0000-0000-0000-000000000001 vs dcf47dbd-46d1-4d5b-b442-262a806a333a"),
        ("<hostname>h</hostname>", "", "internal error: missing hostname element in migration data"),
        ("<hostuuid>8b3f4dc4-6a8e-5f9b-94a5-4c35babd8d95</hostuuid>", "", "internal error: missing hostuuid element in migration data"),
        ("<hostuuid>8b3f4dc4-6a8e-5f9b-94a5-4c35babd8d95</hostuuid>", "<hostuuid>nope</hostuuid>", "internal error: malformed hostuuid element in migration data"),
        ("<hostname>h</hostname>", "<hostname>h</hostname><feature name='warp-drive'/>", "internal error: Unknown migration cookie feature warp-drive"),
        ("<hostname>h</hostname>", "<hostname>h</hostname><feature name='nbd'/>", "internal error: Unsupported migration cookie feature nbd"),
        ("<hostname>h</hostname>", "<hostname>h</hostname><lockstate><leases/></lockstate>", "internal error: Missing lock driver name in migration cookie"),
    ])
    func libvirtsChecks(_ from: String, _ to: String, _ message: String) {
        let xml = Self.basic.replacingOccurrences(of: from, with: to)
        let error = #expect(throws: VirError.self) {
            try QemuMigrationCookie.parse(xml, name: "vm", uuid: Self.vm, localHostUUID: Self.testHost, local: false)
        }
        #expect(error?.message == message)
    }
}
