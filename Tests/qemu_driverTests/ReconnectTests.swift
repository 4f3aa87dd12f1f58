import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_driver
import qemu_process
import virutil

/// VMs outlive the driver that started them; the next driver on the same
/// root finds them again from their status files.
@Suite(.serialized) struct ReconnectTests {
    /// What one short-lived process (a virsh command on the embedded
    /// driver) sets is what the next one reads: a `suspend` right after the
    /// driver reconnected keeps its reason (`paused (user)`), and a
    /// `resume` its own, on disk before the call returns.
    @Test func aStateSetRightAfterReconnectIsWhatTheNextDriverReads() async throws {
        let root = TestRoot("reason")
        defer { #expect(root.cleanup() == []) }
        let first = try await QemuDriver.connect(uri: root.uri)
        let dom = try first.defineXML(CounterGuest.domainXML(name: "r", disk: try CounterGuest.disk(in: root.path),
                                                             serialLog: root.path + "/r.log"))
        try await first.create(dom)
        first.driver.close()
        for round in 0..<10 {
            let conn = try await QemuDriver.connect(uri: root.uri)
            let ref = try conn.lookup(name: "r")
            if round % 2 == 0 { try await conn.suspend(ref) } else { try await conn.resume(ref) }
            conn.driver.close()
            let next = try await QemuDriver.connect(uri: root.uri)
            let expected: DomainStateReason = round % 2 == 0 ? .paused(.user) : .running(.unpaused)
            #expect(try next.state(next.lookup(name: "r")) == expected, "round \(round)")
            next.driver.close()
        }
        let last = try await QemuDriver.connect(uri: root.uri)
        defer { last.driver.close() }
        try await last.destroy(last.lookup(name: "r"))
    }

    @Test func aNewDriverFindsRunningVMsAndCleansUpDeadOnes() async throws {
        let root = TestRoot("recon")
        defer { #expect(root.cleanup() == []) }
        let keepSerial = root.path + "/keep.log"
        var first: QemuConnection? = try await QemuDriver.connect(uri: root.uri)
        guard let conn1 = first else { return }
        let keep = try conn1.defineXML(CounterGuest.domainXML(name: "keep", disk: try CounterGuest.disk(in: root.path, name: "k.img"),
                                                              serialLog: keepSerial, sharedMemory: true))
        let doomed = try conn1.defineXML(CounterGuest.domainXML(name: "doomed", disk: try CounterGuest.disk(in: root.path, name: "d.img"),
                                                                serialLog: root.path + "/doomed.log", sharedMemory: true))
        try await conn1.create(keep)
        try await conn1.create(doomed)
        try await conn1.suspend(doomed)
        let keepRef = try conn1.lookup(name: "keep")
        let keepPID = try #require(try conn1.pid(keepRef))
        let doomedRef = try conn1.lookup(name: "doomed")
        let doomedPID = try #require(try conn1.pid(doomedRef))
        let doomedDir = try #require(try conn1.obj(doomedRef).qemu.instance?.paths.dir)

        // The driver goes away (as the embedded driver does when a command
        // ends); the VMs do not.
        conn1.driver.close()
        first = nil
        // Meanwhile one QEMU dies.
        kill(doomedPID, SIGKILL)
        #expect(CounterGuest.waitForCounter(inLog: keepSerial, atLeast: 5))

        let conn2 = try await QemuDriver.connect(uri: root.uri)
        defer { conn2.driver.close() }
        #expect(conn2.driver !== conn1.driver)
        let found = try conn2.lookup(name: "keep")
        #expect(found.id == keepRef.id, "same id")
        #expect(try conn2.state(found) == .running(.booted))
        #expect(try conn2.pid(found) == keepPID)
        #expect(try conn2.lookup(id: try #require(keepRef.id)) == found)
        // It takes commands.
        try await conn2.suspend(found)
        #expect(try conn2.state(found) == .paused(.user))
        try await conn2.resume(found)
        let counter = try await conn2.readGuestMemory32(found, at: CounterGuest.counterAddress)
        #expect(counter > 0)

        // The dead one is shut off and left nothing behind.
        let gone = try conn2.lookup(name: "doomed")
        #expect(gone.id == nil)
        #expect(try conn2.state(gone).state == .shutoff)
        #expect(!FileManager.default.fileExists(atPath: doomedDir))
        let doomedUUID = try conn2.obj(gone).uuid
        #expect(!FileManager.default.fileExists(atPath: conn2.driver.config.ramFile(uuid: doomedUUID.description)))
        #expect(conn2.listAllDomains(.active).map(\.name) == ["keep"])

        // A new instance never reuses a live id.
        try await conn2.create(gone)
        let restarted = try conn2.lookup(name: "doomed")
        #expect(restarted.id != nil && restarted.id != found.id && (restarted.id ?? 0) > (doomedRef.id ?? 0))

        try await conn2.destroy(found)
        try await conn2.destroy(restarted)
        #expect(root.files(under: "run/qemu").filter { $0.hasPrefix("domain-") }.isEmpty)
    }

    /// A QEMU whose instance directory has no status file (a driver died
    /// between spawning it and its first status write) or an unreadable
    /// one: the next driver stops it (no definition says what it runs, and
    /// it must not run beside the domain's real instance) and removes the
    /// directory, instead of leaving a QEMU nobody manages.
    @Test func aQemuThatNoStatusFileDescribesIsStoppedAndItsDirectoryRemoved() async throws {
        let root = TestRoot("orphan")
        defer { #expect(root.cleanup() == []) }
        let first = try await QemuDriver.connect(uri: root.uri)
        let stateDir = first.driver.config.stateDir
        first.driver.close()
        var pids: [pid_t] = []
        for (name, status) in [("domain-7-vm", nil), ("domain-8-vm", "not a status file")] as [(String, String?)] {
            let dir = stateDir + "/" + name
            #expect(mkdir(dir, 0o700) == 0)
            if let status { try status.write(toFile: dir + "/status.xml", atomically: true, encoding: .utf8) }
            let child = try VirCommand([Emulators.qemu72, "-machine", "none", "-accel", "tcg", "-display", "none",
                                        "-nodefaults", "-S", "-pidfile", dir + "/qemu.pid"]).spawn()
            pids.append(child.pid)
            try await MigrationFailureTests.waitUntil { FileManager.default.fileExists(atPath: dir + "/qemu.pid") }
        }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        for pid in pids {
            let stopped = await Wait.until { !ProcStat.isRunning(pid) }
            #expect(stopped, "QEMU \(pid) was stopped")
            if !stopped { kill(pid, SIGKILL) }
            #expect(VirCommand.exitCode(VirCommand.wait(pid)) == 128 + SIGKILL)
        }
        #expect(root.files(under: "run/qemu").filter { $0.hasPrefix("domain-") }.isEmpty, "no instance directory left")
        #expect(conn.listAllDomains().isEmpty)
    }

    @Test func theRootIsLockedWhileADriverHoldsIt() async throws {
        let root = TestRoot("lock")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        // A second process would wait, then give up; in-process, the same
        // driver is shared instead.
        let again = try await QemuDriver.connect(uri: root.uri)
        #expect(again.driver === conn.driver)
        let config = QemuDriverConfig(root: root.path)
        let error = #expect(throws: VirError.self) {
            _ = try QemuDriverState(config: config, hostUUID: .generate(), lockTimeout: .milliseconds(100))
        }
        #expect(error?.message.contains("is in use by process \(getpid())") == true)
    }
}
