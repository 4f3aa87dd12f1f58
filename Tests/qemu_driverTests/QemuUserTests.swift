import Foundation
import Glibc
import Testing
import TestSupport
import libvirt_abi
import qemu_driver
import qemu_process
import virutil

/// QEMU as `qemu.conf`'s `user` and `group` (here `libvirt-qemu:kvm`),
/// with no capabilities, given exactly the files it needs and nothing more:
/// its disk, its serial log, its RAM directory, and its instance directory
/// for sockets; each file's owner remembered and restored when the last
/// instance holding it is gone, across a local migration.
@Suite(.serialized) struct QemuUserTests {
    static let qemuUser = "libvirt-qemu", qemuGroup = "kvm"

    /// The fields of /proc/PID/status, by name.
    static func status(_ pid: Int32) -> [String: String] {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return [:] }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return fields
    }

    static func owner(_ path: String) -> (uid: uid_t, gid: gid_t)? {
        var st = stat()
        return stat(path, &st) == 0 ? (st.st_uid, st.st_gid) : nil
    }

    static func root(_ label: String, conf: String) throws -> TestRoot {
        let root = TestRoot(label)
        try FileManager.default.createDirectory(atPath: root.path + "/etc", withIntermediateDirectories: true)
        try conf.write(toFile: root.path + "/etc/qemu.conf", atomically: true, encoding: .utf8)
        return root
    }

    @Test func qemuRunsAsItsUserWithNoCapabilitiesAndGetsOnlyItsFiles() async throws {
        let identity = try ProcessIdentity(user: Self.qemuUser, group: Self.qemuGroup)
        let root = try Self.root("qemu-user", conf: "user = \"\(Self.qemuUser)\"\ngroup = \"\(Self.qemuGroup)\"\n")
        defer { #expect(root.cleanup() == []) }
        let disk = try CounterGuest.disk(in: root.path)
        // An owner other than the driver's, to see that it comes back.
        #expect(chown(disk, 65534, 65534) == 0)
        let serial = root.path + "/serial.log"
        let secret = root.path + "/root-only.img"
        try "not for QEMU\n".write(toFile: secret, atomically: true, encoding: .utf8)
        #expect(chmod(secret, 0o600) == 0)
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "counter", disk: disk, serialLog: serial, sharedMemory: true,
                                                        features: "<acpi/>"),
                                     validate: true)
        try await conn.create(dom)
        let pid = try #require(try conn.pid(conn.lookup(name: "counter")))
        let st = Self.status(pid)
        #expect(st["Uid"] == "\(identity.uid)\t\(identity.uid)\t\(identity.uid)\t\(identity.uid)")
        #expect(st["Gid"] == "\(identity.gid)\t\(identity.gid)\t\(identity.gid)\t\(identity.gid)")
        #expect(Set((st["Groups"] ?? "").split(separator: " ").compactMap { gid_t($0) }) == Set(identity.groups))
        for cap in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] { #expect(st[cap] == "0000000000000000", "\(cap)") }
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: 3))

        // Its files are its own, their owners remembered as libvirt does.
        #expect(Self.owner(disk)! == (identity.uid, identity.gid))
        #expect(Self.owner(serial)! == (identity.uid, identity.gid))
        #expect(VirSecurityLabel.rememberedOwner(disk)! == (65534, 65534))
        #expect(VirSecurityLabel.holders(disk) == 1)
        let ramDir = conn.driver.config.memoryBackingDir + "/" + dom.uuid.description
        #expect(Self.owner(ramDir)! == (identity.uid, identity.gid))
        let instanceName = try #require(try FileManager.default.contentsOfDirectory(atPath: conn.driver.config.stateDir)
            .first { $0.hasPrefix("domain-") })
        let instanceDir = conn.driver.config.stateDir + "/" + instanceName
        #expect(Self.owner(instanceDir)! == (0, identity.gid))
        #expect(Self.owner(instanceDir + "/status.xml")! == (0, 0))

        // A file of the host that was not given to it stays closed to it.
        let reply = try await conn.qemuMonitorCommand(conn.lookup(name: "counter"), command: """
            {"execute":"blockdev-add","arguments":{"driver":"file","node-name":"stolen","filename":"\(secret)"}}
            """)
        #expect(reply.contains("Could not open '\(secret)': Permission denied"), "\(reply)")

        // A disk plugged in is given too; one QEMU refuses is taken back.
        let vdb = root.path + "/vdb.img", bad = root.path + "/not-qcow2.img"
        for image in [vdb, bad] { #expect(FileManager.default.createFile(atPath: image, contents: Data(count: 1 << 20))) }
        func diskXML(_ path: String, _ target: String, format: String = "raw") -> String {
            "<disk type='file' device='disk'><driver name='qemu' type='\(format)'/><source file='\(path)'/><target dev='\(target)' bus='virtio'/></disk>"
        }
        try await conn.attachDevice(conn.lookup(name: "counter"), xml: diskXML(vdb, "vdb"), flags: .live)
        #expect(Self.owner(vdb)! == (identity.uid, identity.gid))
        await #expect(throws: VirError.self) {
            try await conn.attachDevice(conn.lookup(name: "counter"), xml: diskXML(bad, "vdc", format: "qcow2"), flags: .live)
        }
        #expect(Self.owner(bad)! == (0, 0))
        #expect(VirSecurityLabel.holders(bad) == nil)

        // Both ends of a local migration hold the disk: the source's end
        // lets go of it without taking it from the destination.
        try await conn.migrate3(conn.lookup(name: "counter"), to: conn.driver.connect(), params: [], flags: [.live, .local])
        let moved = try #require(try conn.pid(conn.lookup(name: "counter")))
        #expect(moved != pid)
        #expect(Self.status(moved)["Uid"]?.hasPrefix("\(identity.uid)\t") == true)
        #expect(Self.status(moved)["CapEff"] == "0000000000000000")
        for image in [disk, vdb] {
            #expect(Self.owner(image)! == (identity.uid, identity.gid))
            #expect(VirSecurityLabel.holders(image) == 1)
        }
        let counter = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: counter + 3))

        try await conn.destroy(conn.lookup(name: "counter"))
        #expect(Self.owner(disk)! == (65534, 65534))
        #expect(Self.owner(serial)! == (0, 0))
        #expect(Self.owner(vdb)! == (0, 0))
        for file in [disk, serial, vdb] {
            #expect(VirSecurityLabel.holders(file) == nil)
            #expect(VirSecurityLabel.rememberedOwner(file) == nil)
        }
        try await conn.undefine(conn.lookup(name: "counter"))
    }

    /// The capabilities probe runs as QEMU's user too, as libvirt probes.
    /// The emulator is a script that writes who runs it, then runs QEMU.
    /// A screenshot works too (QEMU writes the file as its user).
    @Test func theProbeRunsAsQemusUserToo() async throws {
        let identity = try ProcessIdentity(user: Self.qemuUser, group: Self.qemuGroup)
        let root = try Self.root("qemu-user-probe", conf: "user = \"\(Self.qemuUser)\"\ngroup = \"\(Self.qemuGroup)\"\n")
        defer { #expect(root.cleanup() == []) }
        let seen = root.path + "/who"
        #expect(FileManager.default.createFile(atPath: seen, contents: nil, attributes: [.posixPermissions: 0o666]))
        let emulator = root.path + "/qemu-who"
        try "#!/bin/sh\necho \"$(id -u):$(id -g) $*\" >> \(seen)\nexec /usr/bin/qemu-system-x86_64 \"$@\"\n"
            .write(toFile: emulator, atomically: true, encoding: .utf8)
        #expect(chmod(emulator, 0o755) == 0)
        let disk = try CounterGuest.disk(in: root.path)
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "counter", disk: disk, serialLog: root.path + "/serial.log",
                                                            emulator: emulator, extraDevices: "<video><model type='vga'/></video>"),
                                     validate: true)
        try await conn.create(dom)
        // A screenshot: QEMU, as its user, writes the file the driver made for it.
        let shot = try await conn.screenshot(conn.lookup(name: "counter"), screen: 0)
        #expect(shot.mime == "image/png" && shot.data.starts(with: [0x89, 0x50, 0x4e, 0x47]))
        let runs = try String(contentsOfFile: seen, encoding: .utf8).split(separator: "\n")
        #expect(runs.contains { $0.contains("-machine none") }, "the probe: \(runs)")
        #expect(runs.contains { $0.contains("guest=counter") }, "the guest: \(runs)")
        #expect(runs.allSatisfy { $0.hasPrefix("\(identity.uid):\(identity.gid) ") }, "\(runs)")
        try await conn.destroy(conn.lookup(name: "counter"))
        try await conn.undefine(conn.lookup(name: "counter"))
    }

    @Test func withoutDynamicOwnershipQemuCannotOpenTheDriversDisk() async throws {
        let root = try Self.root("qemu-user-static",
                                 conf: "user = \"\(Self.qemuUser)\"\ngroup = \"\(Self.qemuGroup)\"\ndynamic_ownership = 0\n")
        defer { #expect(root.cleanup() == []) }
        let disk = try CounterGuest.disk(in: root.path)
        #expect(chmod(disk, 0o644) == 0)
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "counter", disk: disk, serialLog: root.path + "/serial.log"),
                                     validate: true)
        let error = await #expect(throws: VirError.self) { try await conn.create(dom) }
        #expect(error?.message.contains("Permission denied") == true, "\(String(describing: error))")
        #expect(Self.owner(disk)! == (0, 0))
        #expect(VirSecurityLabel.holders(disk) == nil)
        try await conn.undefine(conn.lookup(name: "counter"))
    }

    @Test func systemDefaultsToLibvirtQemuAndEmbeddedRootsToTheDriversUser() throws {
        let empty = QemuConf(path: "qemu.conf", text: "")
        var system = try QemuDriverConfig(uri: "qemu:///system")
        try system.load(empty)
        // What Debian's libvirtd runs its QEMUs as: /proc/PID/status there
        // says Gid 64055 (libvirt-qemu), Groups 107 (kvm) 64055.
        let debians = try ProcessIdentity(user: "libvirt-qemu", group: "libvirt-qemu")
        #expect(system.qemuIdentity == debians)
        #expect(debians.groups.contains(try #require(getgrnam("kvm")).pointee.gr_gid))
        var embedded = QemuDriverConfig(root: "/srv/vms")
        try embedded.load(empty)
        #expect(embedded.qemuIdentity == nil)
        try embedded.load(QemuConf(path: "qemu.conf", text: "user = \"+65534\"\ngroup = \"+65534\"\n"))
        #expect(embedded.qemuIdentity?.uid == 65534)
        #expect(embedded.qemuIdentity?.gid == 65534)
        for (text, message) in [("user = \"no-such-user\"\n", "internal error: Failed to find user record for name 'no-such-user'"),
                                ("group = \"+x\"\n", "invalid argument: Failed to parse group '+x'")] {
            var c = QemuDriverConfig(root: "/srv/vms")
            let error = #expect(throws: VirError.self) { try c.load(QemuConf(path: "qemu.conf", text: text)) }
            #expect(error?.message == message)
        }
    }
}
