import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_driver
import virdomainobjlist
import virutil

/// The guests people run: every definition Debian's `virt-install` wrote
/// into `fixtures/virt-install/` defines, starts under TCG, migrates
/// `--live --local` and is destroyed, with nothing left behind.
@Suite(.serialized) struct VirtInstallCorpusTests {
    static let folder = Fixtures.projectRoot.appendingPathComponent("fixtures/virt-install")
    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".xml") }.sorted()
    }()

    @Test func theCorpusHoldsWhatTheIssueAsksFor() throws {
        #expect(Self.files.count >= 8)
        let all = try Self.files.map { try String(contentsOf: Self.folder.appendingPathComponent($0), encoding: .utf8) }
        for needle in ["machine=\"q35\"", "machine=\"pc", "firmware=\"efi\"", "type=\"vnc\"", "type=\"spice\"",
                       "microsoft.com/win", "debian.org", "fedoraproject.org"] {
            #expect(all.contains { $0.contains(needle) }, "a definition has \(needle)")
        }
        #expect(all.contains { !$0.contains("<graphics") }, "a definition has no graphics")
    }

    /// Small images for the disks a definition names under `@DISKDIR@`,
    /// in the format its `<driver type>` says.
    static func makeDisks(for xml: String, in dir: String) throws {
        let pattern = try NSRegularExpression(pattern: "@DISKDIR@/([A-Za-z0-9_.-]+)")
        let names = Set(pattern.matches(in: xml, range: NSRange(xml.startIndex..., in: xml)).compactMap {
            Range($0.range(at: 1), in: xml).map { String(xml[$0]) }
        })
        for name in names {
            let format = name.hasSuffix(".qcow2") ? "qcow2" : "raw"
            let r = try Subprocess.run("/usr/bin/qemu-img", ["create", "-q", "-f", format, dir + "/" + name, "16M"])
            #expect(r.status == 0, "qemu-img create \(name): \(r.stderr)")
        }
    }

    static func inode(_ path: String) -> UInt64? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt64(st.st_ino) : nil
    }

    @Test(arguments: files)
    func definesStartsMigratesLocallyAndIsDestroyed(_ file: String) async throws {
        let root = TestRoot("vi")
        defer { #expect(root.cleanup() == [], "the test leaves nothing behind") }
        let template = try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8)
        let disks = root.path + "/images"
        try FileManager.default.createDirectory(atPath: disks, withIntermediateDirectories: true)
        try Self.makeDisks(for: template, in: disks)
        let xml = template.replacingOccurrences(of: "@DISKDIR@", with: disks)

        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let defined = try conn.defineXML(xml, validate: true)
        let started = try await conn.create(defined)
        #expect(try conn.state(started) == .running(.booted))
        let pid = try #require(try conn.pid(started))
        // A UEFI guest's variable store is the VM's: made from the template
        // at the first start, the same file (inode) after the migration.
        let nvram = try conn.obj(started).def.os.loader?.nvram
        let nvramInode = nvram.map { Self.inode($0) }
        #expect((nvram != nil) == xml.contains("firmware=\"efi\""), "UEFI guests, and only they, have an NVRAM file")

        let dconn = conn.driver.connect()
        let moved = try await conn.migrate3(started, to: dconn, params: [], flags: [.live, .local])
        #expect(moved.uuid == started.uuid && moved.name == started.name)
        #expect(try conn.state(moved) == .running(.migrated))
        let newPID = try #require(try conn.pid(moved))
        #expect(newPID != pid && kill(pid, 0) != 0, "the source QEMU is gone")
        #expect(TestRoot.processes(mentioning: root.path) == [newPID])
        if let nvram { #expect(Self.inode(nvram) == nvramInode, "the destination opened the same NVRAM file") }

        try await conn.destroy(moved)
        #expect(try !conn.isActive(moved))
        #expect(TestRoot.processes(mentioning: root.path).isEmpty, "no QEMU is left")
        let instances = root.files(under: "run/qemu").filter { $0.hasPrefix("domain-") }
        #expect(instances.isEmpty, "no instance directory is left: \(instances)")
        if nvram != nil {
            let error = await #expect(throws: VirError.self) { try await conn.undefine(moved) }
            #expect(error?.message == "Requested operation is not valid: cannot undefine domain with nvram")
        }
        try await conn.undefine(moved, flags: nvram == nil ? [] : [.nvram])
        #expect(conn.listAllDomains().isEmpty)
        if let nvram { #expect(access(nvram, F_OK) != 0, "undefine --nvram removed \(nvram)") }
        // The disks are the guest's: still there, untouched by destroy.
        for name in try FileManager.default.contentsOfDirectory(atPath: disks) {
            #expect(FileManager.default.fileExists(atPath: disks + "/" + name))
        }
    }

    /// The UEFI guests as `libvirt-qemu:kvm` (qemu.conf's `user` and
    /// `group`): their QEMU gets the disks and the variable store made from
    /// the template, through a local migration, and gives them back when
    /// it is destroyed.
    @Test(arguments: files.filter { (try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8))?
        .contains("firmware=\"efi\"") == true })
    func aUEFIGuestRunsAsQemusUser(_ file: String) async throws {
        let identity = try ProcessIdentity(user: "libvirt-qemu", group: "kvm")
        let root = TestRoot("vi-user")
        defer { #expect(root.cleanup() == [], "the test leaves nothing behind") }
        try FileManager.default.createDirectory(atPath: root.path + "/etc", withIntermediateDirectories: true)
        try "user = \"libvirt-qemu\"\ngroup = \"kvm\"\n".write(toFile: root.path + "/etc/qemu.conf", atomically: true, encoding: .utf8)
        let template = try String(contentsOf: Self.folder.appendingPathComponent(file), encoding: .utf8)
        let disks = root.path + "/images"
        try FileManager.default.createDirectory(atPath: disks, withIntermediateDirectories: true)
        try Self.makeDisks(for: template, in: disks)
        let images = try FileManager.default.contentsOfDirectory(atPath: disks).map { disks + "/" + $0 }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let started = try await conn.create(conn.defineXML(template.replacingOccurrences(of: "@DISKDIR@", with: disks), validate: true))
        let nvram = try #require(try conn.obj(started).def.os.loader?.nvram)
        func owner(_ path: String) -> String {
            var st = stat()
            return stat(path, &st) == 0 ? "\(st.st_uid):\(st.st_gid)" : "none"
        }
        let qemu = "\(identity.uid):\(identity.gid)"
        for path in images + [nvram] { #expect(owner(path) == qemu, "\(path) is QEMU's") }
        let moved = try await conn.migrate3(started, to: conn.driver.connect(), params: [], flags: [.live, .local])
        #expect(try conn.state(moved) == .running(.migrated))
        for path in images + [nvram] {
            #expect(owner(path) == qemu, "\(path) is still QEMU's after the migration")
            #expect(VirSecurityLabel.holders(path) == 1)
        }
        try await conn.destroy(moved)
        for path in images + [nvram] {
            #expect(owner(path) == "0:0", "\(path) is given back")
            #expect(VirSecurityLabel.holders(path) == nil)
        }
        try await conn.undefine(moved, flags: [.nvram])
    }
}
