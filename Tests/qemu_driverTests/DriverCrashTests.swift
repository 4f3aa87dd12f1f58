import Foundation
import Testing
import TestSupport
import libvirt_abi
import qemu_driver
import qemu_migration

/// The driver itself dies at each named moment of a local migration
/// (`QemuMigrationCrashPoint`, every one of them): the process running the
/// migration (test-migration-client, all five phases) ends there with no
/// clean-up at all, and the next driver to open the root finds the guest
/// running exactly once, from where it was, never in a QEMU that is
/// behind one that already ran it.
@Suite(.serialized) struct DriverCrashTests {
    /// From Finish saving `finish3` on, the destination may have run the
    /// guest: recovery must complete the migration. Before, it rolls back.
    static func completes(_ point: QemuMigrationCrashPoint) -> Bool {
        let order = QemuMigrationCrashPoint.allCases
        return order.firstIndex(of: point)! >= order.firstIndex(of: .finishResuming)!
    }

    @Test(arguments: QemuMigrationCrashPoint.allCases.filter { !$0.isCPRTransferOnly })
    func theDriverDiesAt(_ point: QemuMigrationCrashPoint) async throws {
        try await Self.dieAndRecover(point, expectedMode: "normal") {
            try await MigrationFixture.start("crash")
        }
    }

    /// The same for QEMU 10.0's `cpr-transfer` (a memfd guest on 10.0),
    /// whose phases come in another order: the destination's monitor is
    /// connected in Perform, once the descriptors went.
    @Test(arguments: QemuMigrationCrashPoint.allCases)
    func theDriverDiesDuringACPRTransferAt(_ point: QemuMigrationCrashPoint) async throws {
        try await Self.dieAndRecover(point, expectedMode: "cpr-transfer") {
            try await MigrationFixture.start("crash-cpr", shared: false, memfd: true, emulator: Emulators.qemu100)
        }
    }

    static func dieAndRecover(_ point: QemuMigrationCrashPoint, expectedMode: String,
                              start: () async throws -> MigrationFixture) async throws {
        let client = try #require(BuiltProduct.path("test-migration-client"), "build the package first (make test does)")
        var f: MigrationFixture? = try await start()
        guard let fixture = f else { return }
        let root = fixture.root
        defer { #expect(root.cleanup() == []) }
        let sourceID = try #require(try fixture.dom.id)
        let serial = fixture.serial
        fixture.conn.driver.close()
        f = nil

        var env = ProcessInfo.processInfo.environment
        env[QemuMigrationCrashPoint.environmentVariable] = point.rawValue
        let run = try Subprocess.run(client, [root.uri, "vm", "complete"], environment: env, timeout: 120)
        #expect(run.status == QemuMigrationCrashPoint.exitStatus, "the client died at \(point.rawValue): \(run)")
        let atCrash = CounterGuest.counters(inLog: serial).last ?? 0

        // A new driver on the root.
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        _ = await Wait.until { TestRoot.processes(mentioning: root.path).count == 1 && ClientGoneTests.instanceDirs(root).count == 1 }
        let dom = try conn.lookup(name: "vm")
        let expectedID = Self.completes(point) ? sourceID + 1 : sourceID
        #expect(dom.id == expectedID, "\(point.rawValue): the guest runs in instance \(String(describing: dom.id))")
        #expect(try conn.state(dom).state == .running, "running, not paused")
        #expect(conn.listAllDomains(.active).count == 1)
        #expect(conn.driver.state.domains.findRemote(byUUID: dom.uuid) == nil, "no incoming instance left")
        let processes = TestRoot.processes(mentioning: root.path)
        let pid = try conn.pid(dom)
        #expect(processes.count == 1 && processes.first == pid, "one QEMU, the domain's")
        #expect(ClientGoneTests.instanceDirs(root) == ["domain-\(expectedID)-vm"])
        _ = try conn.info(dom)
        // The counter goes on from where it was, never back.
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: atCrash + 3))
        let counters = CounterGuest.counters(inLog: serial)
        #expect(!counters.isEmpty && counters == Array(0..<counters.count), "\(point.rawValue): no gap, no restart")
        // And it migrates again.
        let again = try await conn.migrate3(dom, to: conn.driver.connect(), params: [], flags: [.live, .local])
        #expect(again.id != dom.id)
        let mode = try await conn.completedMigrationMode(again)
        #expect(mode == .string(expectedMode), "\(point.rawValue): the next migration is a \(expectedMode) again")
        try await conn.destroy(again)
    }

    /// A migration's QEMU whose monitor the next driver cannot reach (its
    /// socket gone) is stopped, not left running beside the domain with
    /// its directory removed.
    @Test func anIncomingQEMUWhoseMonitorCannotBeReachedIsStopped() async throws {
        let client = try #require(BuiltProduct.path("test-migration-client"), "build the package first (make test does)")
        var f: MigrationFixture? = try await MigrationFixture.start("crash-nomon")
        guard let fixture = f else { return }
        let root = fixture.root
        defer { #expect(root.cleanup() == []) }
        let sourceID = try #require(try fixture.dom.id)
        fixture.conn.driver.close()
        f = nil
        var env = ProcessInfo.processInfo.environment
        env[QemuMigrationCrashPoint.environmentVariable] = QemuMigrationCrashPoint.prepareListening.rawValue
        let run = try Subprocess.run(client, [root.uri, "vm", "complete"], environment: env, timeout: 120)
        #expect(run.status == QemuMigrationCrashPoint.exitStatus, "\(run)")
        #expect(TestRoot.processes(mentioning: root.path).count == 2, "the source and the incoming QEMU")
        let incomingDir = try #require(ClientGoneTests.instanceDirs(root).first { $0 != "domain-\(sourceID)-vm" })
        try FileManager.default.removeItem(atPath: root.path + "/run/qemu/\(incomingDir)/monitor.sock")

        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        #expect(await Wait.until { TestRoot.processes(mentioning: root.path).count == 1 }, "the unreachable QEMU is stopped")
        let dom = try conn.lookup(name: "vm")
        #expect(dom.id == sourceID)
        #expect(TestRoot.processes(mentioning: root.path) == [try conn.pid(dom)])
        #expect(ClientGoneTests.instanceDirs(root) == ["domain-\(sourceID)-vm"])
        try await conn.destroy(dom)
    }
}
