import Foundation
import Synchronization
import Testing
import virutil
import TestSupport
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_driver
import qemu_migration
import virdomainobjlist

/// Local live migration of the counter guest, all five phases through the
/// driver's public API over two connections, with real QEMU.
@Suite(.serialized) struct LocalMigrationTests {
    @Test func theGuestMovesToANewQemuAndKeepsCounting() async throws {
        let f = try await MigrationFixture.start("move")
        defer { f.close() }
        let before = try f.dom
        let oldPID = try #require(try f.conn.pid(before))
        let oldDir = try #require(try f.obj.qemu.instance?.paths.dir)
        let uuid = try f.obj.uuid
        let events = EventRecorder(f.conn)

        // A reader lists and looks the domain up all through the migration.
        final class Reader: Sendable {
            let stop = Atomic<Bool>(false), anomalies = Atomic<Int>(0), reads = Atomic<Int>(0)
        }
        let reader = Reader()
        let list = f.state.domains
        let finished = DispatchGroup()
        finished.enter()
        Thread.detachNewThread {
            defer { finished.leave() }
            while !reader.stop.load(ordering: .acquiring) {
                let seen = list.list().filter { $0.uuid == uuid }.count
                if seen != 1 || list.findByName("vm") == nil || list.findByUUID(uuid) == nil {
                    reader.anomalies.add(1, ordering: .relaxed)
                }
                reader.reads.add(1, ordering: .relaxed)
            }
        }

        let dconn = f.conn.driver.connect()
        let after = try await f.conn.migrate3(before, to: dconn, params: [], flags: [.live, .local])
        reader.stop.store(true, ordering: .releasing)
        finished.wait()
        #expect(reader.anomalies.load(ordering: .relaxed) == 0, "the domain was always seen exactly once")
        #expect(reader.reads.load(ordering: .relaxed) > 10)

        #expect(after.name == before.name && after.uuid == before.uuid)
        #expect(after.id != before.id && (after.id ?? 0) > (before.id ?? 0))
        #expect(try f.conn.lookup(name: "vm") == after)
        let newPID = try #require(try f.conn.pid(after))
        #expect(newPID != oldPID)
        #expect(kill(oldPID, 0) != 0, "the source QEMU is gone")
        #expect(!FileManager.default.fileExists(atPath: oldDir), "the source instance directory is gone")
        #expect(f.qemuProcesses == [newPID])
        #expect(f.instanceDirs.count == 1)
        #expect(try f.conn.state(after) == .running(.migrated))
        #expect(try f.conn.isPersistent(after))

        // The guest goes on from where it was: the serial log continues
        // without a restart, and the counter in RAM keeps growing.
        #expect(f.counterAdvances())
        #expect(f.countersAreContinuous())
        let c1 = try await f.conn.readGuestMemory32(after, at: CounterGuest.counterAddress)
        #expect(try await Wait.until { try await f.conn.readGuestMemory32(after, at: CounterGuest.counterAddress) > c1 })

        // The statistics of the migration stay on the domain.
        let (type, params) = try await f.conn.jobStats(after, completed: true)
        #expect(type == .completed)
        let p = Dictionary(params.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(p["operation"] == .int(DomainJobOperation.migrationOut.rawValue))
        if case .ullong(let downtime)? = p["downtime"] { #expect(downtime < 1000) } else { Issue.record("no downtime") }
        #expect(p["memory_total"] != nil && p["time_elapsed"] != nil)

        // Events: the incoming instance started(migrated), the source
        // suspended(migrated), the new instance resumed(migrated), the
        // source stopped(migrated).
        f.state.events.flush()
        let ev = events.all
        #expect(ev.map(\.1) == [.started(.migrated), .suspended(.migrated), .resumed(.migrated), .stopped(.migrated)])
        #expect(ev.map(\.0) == [after.id, before.id, after.id, before.id])

        // The RAM file belongs to the VM: still there, until it stops for good.
        let ram = f.conn.driver.config.ramFile(uuid: uuid.description)
        #expect(FileManager.default.fileExists(atPath: ram))
        try await f.conn.destroy(after)
        #expect(!FileManager.default.fileExists(atPath: ram))
        #expect(f.qemuProcesses.isEmpty && f.instanceDirs.isEmpty)
    }

    @Test func sharedMemoryIsNotCopiedPrivateMemoryIs() async throws {
        for shared in [true, false] {
            let f = try await MigrationFixture.start(shared ? "shm" : "priv", shared: shared, ballastMiB: 4)
            defer { f.close() }
            let after = try await f.conn.migrate3(try f.dom, to: f.conn.driver.connect(), params: [], flags: [.live, .local])
            let params = try await f.conn.jobStats(after, completed: true).params
            let p = Dictionary(params.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
            guard case .ullong(let processed)? = p["memory_processed"] else { Issue.record("no memory_processed"); continue }
            if shared {
                #expect(processed < 1_048_576, "x-ignore-shared: guest RAM is not sent (\(processed) bytes)")
            } else {
                #expect(processed > 4 * 1_048_576, "private RAM is copied (\(processed) bytes)")
            }
            #expect(f.counterAdvances())
            #expect(f.countersAreContinuous())
            #expect(try f.runsExactlyOnce())
        }
    }

    /// `domjobinfo --completed`'s "Total downtime" is what libvirt reports
    /// (`qemuDomainJobDataUpdateDowntime`): from the source's STOP (QEMU's
    /// timestamp) to the destination's resume in Finish. A client that
    /// waits 300 ms between Perform and Finish kept the guest down that
    /// long, though QEMU's own, source-side figure ends with the last byte.
    @Test func downtimeRunsFromTheSourcesStopToTheDestinationsResume() async throws {
        for shared in [true, false] {
            let f = try await MigrationFixture.start(shared ? "dt-shm" : "dt-priv", shared: shared, ballastMiB: 4)
            defer { f.close() }
            let dconn = f.conn.driver.connect()
            let flags: MigrateFlags = [.live, .local]
            let source = try f.dom
            let begun = VirTime.millisNow()
            let (c1, xml) = try await f.conn.migrateBegin3(source, params: [], flags: flags)
            var params = [TypedParameter(MigrateParam.destXML, .string(xml)), TypedParameter(MigrateParam.destName, .string("vm"))]
            let (c2, uri) = try await dconn.migratePrepare3(cookie: c1, params: params, flags: flags)
            params.append(TypedParameter(MigrateParam.uri, .string(uri)))
            let c3 = try await f.conn.migratePerform3(source, cookie: c2, params: params, flags: flags)
            try await Task.sleep(for: .milliseconds(300))
            let after = try #require(try await dconn.migrateFinish3(params: params, cookie: c3, flags: flags, cancelled: false))
            try await f.conn.migrateConfirm3(source, cookie: "", flags: flags, cancelled: false)
            let elapsed = VirTime.millisNow() - begun
            let params3 = try await f.conn.jobStats(after, completed: true).params
            let downtime = params3.first { $0.name == "downtime" }.flatMap { p -> UInt64? in
                if case .ullong(let v) = p.value { return v }
                return nil
            }
            let stats = try #require(try f.conn.obj(after).qemu.completedJob?.stats)
            let qemuDowntime = try #require(stats.qemuDowntime, "QEMU reported its downtime")
            let d = try #require(downtime)
            #expect(d >= 300, "the guest was stopped from the switch-over until Finish resumed it: \(d) ms")
            #expect(d + 1 >= qemuDowntime + 300, "libvirt's downtime (\(d) ms) holds QEMU's (\(qemuDowntime) ms) and the wait")
            #expect(d <= elapsed, "and lies within the migration (\(elapsed) ms)")
            #expect(stats.stopped >= begun && stats.stopped <= begun + elapsed, "the stop is QEMU's, during the migration")
            #expect(f.counterAdvances())
            #expect(try f.runsExactlyOnce())
        }
    }

    @Test func sameHostWithoutLocalIsRefusedWithLibvirtsMessage() async throws {
        let f = try await MigrationFixture.start("nolocal")
        defer { f.close() }
        let before = try f.dom
        let error = await #expect(throws: VirError.self) {
            try await f.conn.migrate3(before, to: f.conn.driver.connect(), params: [], flags: [.live])
        }
        #expect(error?.message == "internal error: Attempt to migrate guest to the same host \(f.conn.hostUUID)")
        #expect(try f.conn.lookup(name: "vm") == before)
        #expect(try f.conn.state(before) == .running(.booted))
        #expect(try f.runsExactlyOnce())
        #expect(f.counterAdvances())
        // The job ended: the next migration goes through.
        _ = try await f.conn.migrate3(before, to: f.conn.driver.connect(), params: [], flags: [.live, .local])
    }

    /// Twenty migrations in a driver process of their own (so that other
    /// tests running meanwhile do not blur its descriptor count).
    @Test func twentyMigrationsBackToBackLeaveNothingBehind() async throws {
        let client = try #require(BuiltProduct.path("test-migration-client"), "build the package first (make test does)")
        var f: MigrationFixture? = try await MigrationFixture.start("twenty")
        guard let fixture = f else { return }
        defer { #expect(fixture.root.cleanup() == []) }
        let processes = fixture.qemuProcesses.count
        let dirs = fixture.instanceDirs.count
        let firstID = try #require(try fixture.dom.id)
        fixture.conn.driver.close()
        f = nil

        let run = try Subprocess.run(client, [fixture.root.uri, "vm", "repeat", "20"], timeout: 300)
        let fds = run.stdout.split(separator: "\n").first { $0.hasPrefix("FDS ") }?.split(separator: " ").compactMap { Int($0) } ?? []
        #expect(run.status == 0, "\(run)")
        #expect(fds.count == 2 && fds[1] <= fds[0], "the driver's open descriptors after the first migration and after 20 more: \(fds)")

        let conn = try await QemuDriver.connect(uri: fixture.root.uri)
        defer { conn.driver.close() }
        let dom = try conn.lookup(name: "vm")
        #expect(dom.id == firstID + 21, "21 new instances, each with a new id")
        #expect(fixture.qemuProcesses.count == processes)
        #expect(fixture.instanceDirs.count == dirs)
        #expect(fixture.counterAdvances())
        #expect(fixture.countersAreContinuous())
        #expect(conn.listAllDomains(.active).count == 1)
        try await conn.destroy(dom)
    }

    @Test func peerToPeerRunsAllPhasesInTheDriver() async throws {
        let f = try await MigrationFixture.start("p2p")
        defer { f.close() }
        let before = try f.dom
        let after = try await f.conn.migrateToURI3(before, dconnuri: f.root.uri, params: [], flags: [.live, .local, .peer2peer])
        #expect(after.id != before.id && after.uuid == before.uuid)
        #expect(f.counterAdvances())
        #expect(f.countersAreContinuous())
        #expect(try f.runsExactlyOnce())
        let other = await #expect(throws: VirError.self) {
            try await f.conn.migrateToURI3(after, dconnuri: "qemu:///embed?root=\(f.root.path)-elsewhere", params: [],
                                           flags: [.live, .local, .peer2peer])
        }
        #expect(other?.code == .operationUnsupported)
        #expect(!FileManager.default.fileExists(atPath: f.root.path + "-elsewhere"), "the other root is not even opened")
        #expect(try f.runsExactlyOnce())
    }

}
