import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_driver
import qemu_process

/// Every element of a real-world definition is applied, has no effect on
/// the guest (a short list, with reasons), or makes the start refuse the
/// definition naming it: walked over virt-install's corpus and libvirt
/// 9.0's own test definitions.
@Suite(.serialized) struct NothingSilentlyDroppedTests {
    static let libvirtFixtures = (try? Fixtures.xmlFiles("domains/valid")) ?? []

    @Test func theCorpusHoldsOnlyWhatTheDriverApplies() throws {
        #expect(VirtInstallCorpusTests.files.count >= 8)
        for file in VirtInstallCorpusTests.files {
            let xml = try String(contentsOf: VirtInstallCorpusTests.folder.appendingPathComponent(file), encoding: .utf8)
            let def = try DomainDef.parse(xml)
            let unhandled = QemuDomainDefSupport.elementPaths(def.node).filter { QemuDomainDefSupport.treatment(of: $0) == nil }
            #expect(unhandled.isEmpty, "\(file): \(unhandled)")
        }
    }

    /// A file with an element the driver does not handle is refused with
    /// "unsupported configuration" (by the builder that knows the element
    /// better, or by the walk); one without such an element is not
    /// refused for an element.
    @Test(arguments: libvirtFixtures)
    func libvirtsFixturesAreAppliedOrRefused(_ url: URL) async throws {
        let root = TestRoot("walk")
        defer { #expect(root.cleanup() == []) }
        let xml = try String(contentsOf: url, encoding: .utf8)
        let def = try DomainDef.parse(xml)
        let unhandled = QemuDomainDefSupport.elementPaths(def.node).filter { QemuDomainDefSupport.treatment(of: $0) == nil }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        do {
            _ = try conn.domainXMLToNative(format: "qemu-argv", xml: xml)
            #expect(unhandled.isEmpty, "\(url.lastPathComponent): built although it holds \(unhandled)")
        } catch {
            if !unhandled.isEmpty {
                // Refused: as unsupported, or for an error libvirt reports too
                // (a missing emulator, an address the machine lacks, ...).
                #expect(error.code != .internalError || error.message.contains("unsupported"),
                        "\(url.lastPathComponent): \(error.message)")
            }
            if error.code == .configUnsupported, error.message.hasPrefix("unsupported configuration: element <") {
                #expect(!unhandled.isEmpty, "the walk refused an element it handles: \(error.message)")
                let named = unhandled.contains { error.message.contains("(\($0))") }
                #expect(named, "the refusal names the element: \(error.message)")
            }
        }
    }

    @Test func anElementTheDriverDoesNotApplyIsRefusedByName() async throws {
        let root = TestRoot("walk1")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        for (extra, path) in [("<cputune><shares>2048</shares></cputune>", "cputune"),
                              ("<launchSecurity type='sev'><policy>0x0003</policy></launchSecurity>", "launchSecurity"),
                              ("<iothreads>2</iothreads>", "iothreads")] {
            let xml = """
                <domain type='qemu'><name>w</name><memory unit='MiB'>16</memory>\(extra)
                <os><type arch='x86_64' machine='pc'>hvm</type></os><devices><memballoon model='none'/></devices></domain>
                """
            let error = #expect(throws: VirError.self) { try conn.domainXMLToNative(format: "qemu-argv", xml: xml) }
            #expect(error?.code == .configUnsupported)
            #expect(error?.message == "unsupported configuration: element <\(path)> (\(path)) is not supported by this driver")
        }
        // SMBIOS from <sysinfo>, as libvirt writes it (qemuxml2argvdata/smbios.args).
        let smbios = """
            <domain type='qemu'><name>w</name><uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid><memory unit='MiB'>16</memory>
            <sysinfo type='smbios'><bios><entry name='vendor'>LENOVO</entry><entry name='version'>6FET82WW (3.12 )</entry></bios>
            <system><entry name='manufacturer'>Fedora</entry><entry name='uuid'>c7a5fdbd-edaf-9455-926a-d65c16db1809</entry>
            <entry name='family'>Red Hat</entry></system>
            <oemStrings><entry>Hello</entry><entry>This is, more tricky value=escaped</entry></oemStrings></sysinfo>
            <os><type arch='x86_64' machine='pc'>hvm</type>SMBIOS</os><devices><memballoon model='none'/></devices></domain>
            """
        let tables = ShellWords.split(try conn.domainXMLToNative(format: "qemu-argv", xml: smbios.replacingOccurrences(of: "SMBIOS", with: "<smbios mode='sysinfo'/>")))
        let args = tables.indices.filter { tables[$0] == "-smbios" }.map { tables[$0 + 1] }
        #expect(args == ["type=0,vendor=LENOVO,version=6FET82WW (3.12 )",
                         "type=1,manufacturer=Fedora,uuid=c7a5fdbd-edaf-9455-926a-d65c16db1809,family=Red Hat",
                         "type=11,value=Hello,value=This is,, more tricky value=escaped"])
        let unpaired = #expect(throws: VirError.self) {
            try conn.domainXMLToNative(format: "qemu-argv", xml: smbios.replacingOccurrences(of: "SMBIOS", with: ""))
        }
        #expect(unpaired?.message == "unsupported configuration: <sysinfo type='smbios'> reaches the guest only with <os><smbios mode='sysinfo'/>")

        // Per-device boot order is applied, and refused beside <os><boot>.
        let boot = """
            <domain type='qemu'><name>w</name><memory unit='MiB'>16</memory>
            <os><type arch='x86_64' machine='pc'>hvm</type>BOOT</os><devices><memballoon model='none'/>
            <disk type='file' device='disk'><source file='/dev/null'/><target dev='vda' bus='virtio'/><boot order='2'/></disk>
            </devices></domain>
            """
        let line = try conn.domainXMLToNative(format: "qemu-argv", xml: boot.replacingOccurrences(of: "BOOT", with: ""))
        #expect(line.contains("id=virtio-disk0,bootindex=2"), "\(line)")
        let both = #expect(throws: VirError.self) {
            try conn.domainXMLToNative(format: "qemu-argv", xml: boot.replacingOccurrences(of: "BOOT", with: "<boot dev='hd'/>"))
        }
        #expect(both?.message == "unsupported configuration: per-device boot elements cannot be used together with os/boot elements")
    }
}
