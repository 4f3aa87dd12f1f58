import Foundation
import Testing
import TestSupport
import libvirt_abi
import qemu_domain
import qemu_driver
import virutil

/// Migration tuning before and during a migration (`migrate-setspeed`,
/// `migrate-setmaxdowntime`, a suspend during the migration): a migration
/// that cannot converge is made to.
@Suite struct MigrationLimitsTests {
    /// The dirtier guest writes 512 KiB of RAM over and over: at 1 MiB/s and
    /// a 1 ms downtime limit, what is left after an iteration never fits in
    /// the downtime, so the migration iterates on. The limits are set on
    /// the domain before the migration, the way an operator sets them.
    static func startNonConverging(_ f: MigrationFixture) async throws -> Task<DomainRef?, any Error> {
        let source = try f.dom
        try await f.conn.migrateSetMaxSpeed(source, bandwidth: 1)
        try await f.conn.migrateSetMaxDowntime(source, milliseconds: 1)
        let migration = Task { () throws -> DomainRef? in
            try await f.conn.migrate3(source, to: f.conn.driver.connect(), params: [], flags: [.live, .local])
        }
        // The first pass is done and further ones follow without an end.
        try await MigrationFailureTests.waitUntil(timeout: .seconds(120)) {
            let (type, params) = try await f.conn.jobStats(source)
            guard type == .unbounded else { return false }
            guard case .ullong(let iteration)? = params.first(where: { $0.name == "memory_iteration" })?.value else { return false }
            return iteration >= 3
        }
        // Seconds later it still has not converged.
        await VirTime.pause(.seconds(2))
        #expect(try await f.conn.jobStats(source).type == .unbounded, "the migration is still iterating")
        #expect(try await f.conn.migrateGetMaxDowntime(source) == 1, "the limit set before the migration is the one it runs with")
        #expect(try await f.conn.migrateGetMaxSpeed(source) == 1)
        return migration
    }

    @Test func aMigrationThatDoesNotConvergeCompletesOnceTheDowntimeIsRaised() async throws {
        let f = try await MigrationFixture.start("lim-dt", shared: false, dirtier: true)
        defer { f.close() }
        let migration = try await Self.startNonConverging(f)
        try await f.conn.migrateSetMaxDowntime(try f.dom, milliseconds: 30_000)
        let moved = try #require(try await migration.value)
        #expect(try f.conn.lookup(name: "vm") == moved)
        #expect(try f.conn.state(moved).state == .running)
        #expect(try f.runsExactlyOnce())
        #expect(f.counterAdvances())
        #expect(f.countersAreContinuous())
    }

    @Test func aSuspendDuringTheMigrationLetsItCompleteAndTheGuestRunsAfterIt() async throws {
        let f = try await MigrationFixture.start("lim-sus", shared: false, dirtier: true)
        defer { f.close() }
        let migration = try await Self.startNonConverging(f)
        // What virsh migrate --timeout --timeout-suspend does: allowed during
        // the outgoing migration, the pause is the migration's.
        let source = try f.dom
        try await f.conn.suspend(source)
        #expect(try f.conn.state(source) == .paused(.migration))
        let moved = try #require(try await migration.value)
        #expect(try f.conn.state(moved).state == .running, "the destination resumes, as without the suspend")
        #expect(try f.runsExactlyOnce())
        #expect(f.counterAdvances())
        #expect(f.countersAreContinuous())
    }

    @Test func limitsOnInactiveAndRunningDomainsAndTheirErrors() async throws {
        let f = try await MigrationFixture.start("lim-err", shared: true)
        defer { f.close() }
        let dom = try f.dom
        #expect(try await f.conn.migrateGetMaxSpeed(dom) == 8_796_093_022_207, "libvirt's QEMU_DOMAIN_MIG_BANDWIDTH_MAX")
        let tooFast = await #expect(throws: VirError.self) { try await f.conn.migrateSetMaxSpeed(dom, bandwidth: 8_796_093_022_208) }
        #expect(tooFast?.message == "numerical overflow: bandwidth must be less than 8796093022208")
        let badFlags = await #expect(throws: VirError.self) { try await f.conn.migrateSetMaxDowntime(dom, milliseconds: 5, flags: 4) }
        #expect(badFlags?.message == "unsupported flags (0x4) in function qemuDomainMigrateSetMaxDowntime")
        // QEMU holds the downtime; a new driver process reads the limits
        // from the status file.
        try await f.conn.migrateSetMaxDowntime(dom, milliseconds: 77)
        try await f.conn.migrateSetMaxSpeed(dom, bandwidth: 300)
        let qemu = try await #require(try f.obj.qemu.instance).monitor().queryMigrateParameters()
        #expect(qemu["downtime-limit"]?.int64Value == 77)
        #expect(qemu["max-bandwidth"]?.int64Value == Int64(300 * 1_048_576))
        f.conn.driver.close()
        let again = try await QemuDriver.connect(uri: f.root.uri)
        defer { again.driver.close() }
        let dom2 = try again.lookup(name: "vm")
        #expect(try await again.migrateGetMaxSpeed(dom2) == 300)
        #expect(try await again.migrateGetMaxDowntime(dom2) == 77)
        #expect(again.driver.state.migrationLimits(try again.obj(dom2).uuid) == QemuMigrationLimits(bandwidth: 300, downtime: 77))
        // Shut off: the bandwidth is kept, the downtime needs a QEMU.
        try await again.destroy(dom2)
        let off = try again.lookup(name: "vm")
        try await again.migrateSetMaxSpeed(off, bandwidth: 5)
        #expect(try await again.migrateGetMaxSpeed(off) == 5)
        let notRunning = await #expect(throws: VirError.self) { try await again.migrateGetMaxDowntime(off) }
        #expect(notRunning?.message == "Requested operation is not valid: domain is not running")
        let postcopy = await #expect(throws: VirError.self) { try await again.migrateGetMaxSpeed(off, flags: QemuConnection.maxSpeedPostcopy) }
        #expect(postcopy?.message == "Requested operation is not valid: domain is not running")
        // Undefined: forgotten.
        let uuid = try again.obj(off).uuid
        try await again.undefine(off)
        #expect(again.driver.state.migrationLimits(uuid) == QemuMigrationLimits())
    }
}
