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
    @Test func aFullDiskFailsTheMigrationCleanlyAndTheGuestKeepsRunning() async throws {
        // The guest's disk and serial log elsewhere: they are the guest's,
        // and QEMU's own writes are not what this test is about.
        let files = TestRoot("fullfile")
        defer { #expect(files.cleanup() == []) }
        let root = TestRoot("full")
        let mount = try Subprocess.run("/bin/mount", ["-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", root.path])
        try #require(mount.status == 0, "mount a tmpfs (the tests run as root): \(mount)")
        defer {
            let r = try? Subprocess.run("/bin/umount", ["-l", root.path])
            #expect(r?.status == 0, "umount: \(String(describing: r))")
            #expect(root.cleanup() == [])
        }
        let serial = files.path + "/serial.log"
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        // Private RAM: no RAM file on the filesystem that fills up.
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "vm", disk: try CounterGuest.disk(in: files.path), serialLog: serial))
        try await conn.create(dom)
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: 3))
        let pid = try #require(try conn.pid(dom))

        // Fill the filesystem to the last byte.
        let filler = root.path + "/filler"
        let fill = try Subprocess.run("/bin/dd", ["if=/dev/zero", "of=\(filler)", "bs=64k"])
        #expect(fill.stderr.contains("No space left on device"), "\(fill)")
        let error = await #expect(throws: VirError.self) {
            try await conn.migrate3(dom, to: conn.driver.connect(), params: [], flags: [.live, .local])
        }
        #expect(error?.message.contains("No space left on device") == true, "\(String(describing: error))")
        #expect(try conn.state(dom) == .running(.booted))
        #expect(try conn.pid(dom) == pid)
        #expect(TestRoot.processes(mentioning: root.path + "/") == [pid], "no second QEMU")
        #expect(root.files(under: "run/qemu").filter { $0.hasPrefix("domain-") && !$0.contains("/") }.count == 1)
        #expect(conn.driver.state.domains.findRemote(byUUID: try conn.obj(dom).uuid) == nil)
        let n = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: n + 3), "the guest goes on")
        // A job is not left behind: the guest can be suspended and resumed.
        try await conn.suspend(dom)
        try await conn.resume(dom)

        // Room again: the migration works, the counter goes on.
        try FileManager.default.removeItem(atPath: filler)
        let moved = try await conn.migrate3(dom, to: conn.driver.connect(), params: [], flags: [.live, .local])
        #expect(try conn.pid(moved) != pid && kill(pid, 0) != 0)
        let m = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: m + 3))
        let c = CounterGuest.counters(inLog: serial)
        #expect(c == Array(0..<c.count), "never restarted")
        try await conn.destroy(moved)
    }

    /// The disk fills between Prepare and Perform: Perform cannot record
    /// its phase and fails before QEMU sends anything; the client's
    /// cancelled Finish and Confirm then leave the source running alone.
    @Test func aDiskThatFillsDuringTheMigrationRollsItBack() async throws {
        let files = TestRoot("fullfil2")
        defer { #expect(files.cleanup() == []) }
        let root = TestRoot("full2")
        let mount = try Subprocess.run("/bin/mount", ["-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", root.path])
        try #require(mount.status == 0, "mount a tmpfs (the tests run as root): \(mount)")
        defer {
            let r = try? Subprocess.run("/bin/umount", ["-l", root.path])
            #expect(r?.status == 0, "umount: \(String(describing: r))")
            #expect(root.cleanup() == [])
        }
        let serial = files.path + "/serial.log"
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "vm", disk: try CounterGuest.disk(in: files.path), serialLog: serial))
        try await conn.create(dom)
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: 3))
        let pid = try #require(try conn.pid(dom))

        let flags: MigrateFlags = [.live, .local]
        let dconn = conn.driver.connect()
        let (c1, xml) = try await conn.migrateBegin3(dom, params: [], flags: flags)
        var params = [TypedParameter(MigrateParam.destXML, .string(xml)), TypedParameter(MigrateParam.destName, .string("vm"))]
        let (c2, uri) = try await dconn.migratePrepare3(cookie: c1, params: params, flags: flags)
        params.append(TypedParameter(MigrateParam.uri, .string(uri)))
        #expect(TestRoot.processes(mentioning: root.path + "/").count == 2, "the destination QEMU waits")

        let filler = root.path + "/filler"
        let fill = try Subprocess.run("/bin/dd", ["if=/dev/zero", "of=\(filler)", "bs=64k"])
        #expect(fill.stderr.contains("No space left on device"), "\(fill)")
        let error = await #expect(throws: VirError.self) {
            try await conn.migratePerform3(dom, cookie: c2, params: params, flags: flags)
        }
        #expect(error?.message.contains("No space left on device") == true, "\(String(describing: error))")
        let finished = try await dconn.migrateFinish3(params: params, cookie: c2, flags: flags, cancelled: true)
        #expect(finished == nil)
        try await conn.migrateConfirm3(dom, cookie: "", flags: flags, cancelled: true)

        #expect(try conn.state(dom).state == .running)
        #expect(try conn.pid(dom) == pid)
        #expect(try await Wait.until { TestRoot.processes(mentioning: root.path + "/") == [pid] }, "the destination QEMU is gone")
        #expect(root.files(under: "run/qemu").filter { $0.hasPrefix("domain-") && !$0.contains("/") }.count == 1)
        let n = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: n + 3), "the guest goes on")
        try FileManager.default.removeItem(atPath: filler)
        let moved = try await conn.migrate3(dom, to: conn.driver.connect(), params: [], flags: flags)
        #expect(try conn.pid(moved) != pid)
        let c = CounterGuest.counters(inLog: serial)
        #expect(c == Array(0..<c.count), "never restarted")
        try await conn.destroy(moved)
    }
}
