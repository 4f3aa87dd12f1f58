import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_driver

/// A driver root on a small tmpfs that fills up: the migration's state
/// cannot be written, the migration fails before anything starts, the
/// guest goes on running once, and once there is room again a migration
/// works.
@Suite(.serialized) struct FullDiskTests {
    /// The counter guest running from a driver root on an 8 MiB tmpfs;
    /// its disk and serial log elsewhere (they are the guest's, and QEMU's
    /// own writes are not what these tests are about), and private RAM, so
    /// that no RAM file is on the filesystem that fills up.
    struct SmallRoot {
        let files: TestRoot
        let root: TestRoot
        let conn: QemuConnection
        let dom: DomainRef
        let pid: pid_t
        var serial: String { files.path + "/serial.log" }
        var filler: String { root.path + "/filler" }

        static func start(_ label: String) async throws -> SmallRoot {
            let files = TestRoot(label + "f")
            let root = TestRoot(label)
            let mount = try Subprocess.run("/bin/mount", ["-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", root.path])
            try #require(mount.status == 0, "mount a tmpfs (the tests run as root): \(mount)")
            let conn = try await QemuDriver.connect(uri: root.uri)
            let dom = try conn.defineXML(CounterGuest.domainXML(name: "vm", disk: try CounterGuest.disk(in: files.path),
                                                                serialLog: files.path + "/serial.log"))
            try await conn.create(dom)
            #expect(CounterGuest.waitForCounter(inLog: files.path + "/serial.log", atLeast: 3))
            let pid = try #require(try conn.pid(dom))
            return SmallRoot(files: files, root: root, conn: conn, dom: dom, pid: pid)
        }

        /// Fills the filesystem to the last byte.
        func fill() throws {
            let fill = try Subprocess.run("/bin/dd", ["if=/dev/zero", "of=\(filler)", "bs=64k"])
            #expect(fill.stderr.contains("No space left on device"), "\(fill)")
        }

        /// The guest runs once, in its source instance, and goes on.
        func runsOnInItsSource() async throws {
            #expect(try conn.state(dom).state == .running)
            #expect(try conn.pid(dom) == pid)
            #expect(try await Wait.until { TestRoot.processes(mentioning: root.path + "/") == [pid] }, "no other QEMU")
            #expect(root.files(under: "run/qemu").filter { $0.hasPrefix("domain-") && !$0.contains("/") }.count == 1)
            #expect(conn.driver.state.domains.findRemote(byUUID: try conn.obj(dom).uuid) == nil)
            let n = CounterGuest.counters(inLog: serial).last ?? 0
            #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: n + 3), "the guest goes on")
        }

        /// Room again: a migration works, the counter never restarted.
        func migratesOnceThereIsRoom() async throws {
            try FileManager.default.removeItem(atPath: filler)
            let moved = try await conn.migrate3(dom, to: conn.driver.connect(), params: [], flags: [.live, .local])
            #expect(try conn.pid(moved) != pid && kill(pid, 0) != 0)
            let m = CounterGuest.counters(inLog: serial).last ?? 0
            #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: m + 3))
            let c = CounterGuest.counters(inLog: serial)
            #expect(c == Array(0..<c.count), "never restarted")
            try await conn.destroy(moved)
        }

        func close() throws {
            conn.driver.close()
            let r = try Subprocess.run("/bin/umount", ["-l", root.path])
            #expect(r.status == 0, "umount: \(r)")
            #expect(root.cleanup() == [])
            #expect(files.cleanup() == [])
        }
    }

    @Test func aFullDiskFailsTheMigrationCleanlyAndTheGuestKeepsRunning() async throws {
        let r = try await SmallRoot.start("full")
        defer { #expect(throws: Never.self) { try r.close() } }
        try r.fill()
        let error = await #expect(throws: VirError.self) {
            try await r.conn.migrate3(r.dom, to: r.conn.driver.connect(), params: [], flags: [.live, .local])
        }
        #expect(error?.message.contains("No space left on device") == true, "\(String(describing: error))")
        #expect(try r.conn.state(r.dom) == .running(.booted))
        try await r.runsOnInItsSource()
        // A job is not left behind: the guest can be suspended and resumed.
        try await r.conn.suspend(r.dom)
        try await r.conn.resume(r.dom)
        try await r.migratesOnceThereIsRoom()
    }

    /// The disk fills between Prepare and Perform: Perform cannot record
    /// its phase and fails before QEMU sends anything; the client's
    /// cancelled Finish and Confirm then leave the source running alone.
    @Test func aDiskThatFillsDuringTheMigrationRollsItBack() async throws {
        let r = try await SmallRoot.start("full2")
        defer { #expect(throws: Never.self) { try r.close() } }
        let (conn, dom) = (r.conn, r.dom)
        let flags: MigrateFlags = [.live, .local]
        let dconn = conn.driver.connect()
        let (c1, xml) = try await conn.migrateBegin3(dom, params: [], flags: flags)
        var params = [TypedParameter(MigrateParam.destXML, .string(xml)), TypedParameter(MigrateParam.destName, .string("vm"))]
        let (c2, uri) = try await dconn.migratePrepare3(cookie: c1, params: params, flags: flags)
        params.append(TypedParameter(MigrateParam.uri, .string(uri)))
        #expect(TestRoot.processes(mentioning: r.root.path + "/").count == 2, "the destination QEMU waits")

        try r.fill()
        let error = await #expect(throws: VirError.self) {
            try await conn.migratePerform3(dom, cookie: c2, params: params, flags: flags)
        }
        #expect(error?.message.contains("No space left on device") == true, "\(String(describing: error))")
        let finished = try await dconn.migrateFinish3(params: params, cookie: c2, flags: flags, cancelled: true)
        #expect(finished == nil)
        try await conn.migrateConfirm3(dom, cookie: "", flags: flags, cancelled: true)
        try await r.runsOnInItsSource()
        try await r.migratesOnceThereIsRoom()
    }
}
