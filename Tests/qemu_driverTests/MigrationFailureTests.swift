import Foundation
import Synchronization
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_driver
import qemu_migration
import virdomainobjlist

/// Every way a local migration can fail leaves the VM running exactly once
/// (on the source, or on the destination once the switch-over completed),
/// and nothing of the other instance: no process, no directory, no table
/// entry.
@Suite(.serialized) struct MigrationFailureTests {
    /// The phases driven by hand, so that a test can step in between.
    struct Phases {
        let f: MigrationFixture
        let dom: DomainRef
        let dconn: QemuConnection
        var params: [TypedParameter]
        let flags: MigrateFlags
        var cookie = ""

        init(_ f: MigrationFixture, params: [TypedParameter] = [], flags: MigrateFlags = [.live, .local]) throws {
            self.f = f
            self.dom = try f.dom
            self.dconn = f.conn.driver.connect()
            self.params = params
            self.flags = flags
        }

        mutating func begin() async throws {
            let (c, xml) = try await f.conn.migrateBegin3(dom, params: params, flags: flags)
            cookie = c
            params.removeAll { $0.name == MigrateParam.destXML }
            params += [TypedParameter(MigrateParam.destXML, .string(xml)), TypedParameter(MigrateParam.destName, .string(dom.name))]
        }

        mutating func prepare() async throws {
            let (c, uri) = try await dconn.migratePrepare3(cookie: cookie, params: params, flags: flags)
            cookie = c
            params.append(TypedParameter(MigrateParam.uri, .string(uri)))
        }

        mutating func perform() async throws {
            cookie = try await f.conn.migratePerform3(dom, cookie: cookie, params: params, flags: flags)
        }

        func finish(cancelled: Bool) async throws -> DomainRef? {
            try await dconn.migrateFinish3(params: params, cookie: cookie, flags: flags, cancelled: cancelled)
        }

        func confirm(cancelled: Bool) async throws {
            try await f.conn.migrateConfirm3(dom, cookie: "", flags: flags, cancelled: cancelled)
        }
    }

    /// The VM runs once, on the given side, and keeps counting.
    static func expectRunsOnce(_ f: MigrationFixture, onSource source: DomainRef?) throws {
        #expect(try f.runsExactlyOnce())
        if let source {
            #expect(try f.conn.lookup(name: "vm") == source, "still the source instance")
            #expect(try f.conn.state(source).state == .running)
        }
        #expect(f.instanceDirs.count == 1)
        #expect(f.counterAdvances())
        #expect(f.countersAreContinuous())
    }

    static func wrapper(_ f: MigrationFixture, _ body: String) throws -> String {
        let path = f.root.path + "/emulator-\(UInt32.random(in: 0...UInt32.max))"
        try "#!/bin/sh\n\(Emulators.answerProbesWithQemu72)\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    static func destXML(_ f: MigrationFixture, emulator: String) throws -> String {
        var def = try DomainDef.parse(try f.conn.xmlDesc(try f.dom, flags: .migratable))
        def.emulator = emulator
        return def.format()
    }

    @Test func destinationEmulatorMissing() async throws {
        let f = try await MigrationFixture.start("f-noemu")
        defer { f.close() }
        let source = try f.dom
        let error = await #expect(throws: VirError.self) {
            try await f.conn.migrate3(source, to: f.conn.driver.connect(),
                                      params: f.migrationParams(destXML: try Self.destXML(f, emulator: "/nonexistent/qemu")),
                                      flags: [.live, .local])
        }
        #expect(error?.message == "Cannot check QEMU binary /nonexistent/qemu: No such file or directory")
        try Self.expectRunsOnce(f, onSource: source)
    }

    /// A destination QEMU that cannot load the stream (here: started with
    /// another machine type than the source's, what an unpinned alias did
    /// across QEMU versions) exits with its reason: the migration fails
    /// with it, as libvirt reports the destination's error.
    @Test func aDestinationThatCannotLoadTheStreamGivesItsReason() async throws {
        let f = try await MigrationFixture.start("f-load")
        defer { f.close() }
        let source = try f.dom
        let bad = try Self.wrapper(f, """
            for a in "$@"; do [ "$a" = "-incoming" ] && exec \(Emulators.qemu72) "$@" -machine pc-i440fx-7.1; done
            exec \(Emulators.qemu72) "$@"
            """)
        let error = await #expect(throws: VirError.self) {
            try await f.conn.migrate3(source, to: f.conn.driver.connect(),
                                      params: f.migrationParams(destXML: try Self.destXML(f, emulator: bad)), flags: [.live, .local])
        }
        #expect(error?.code == .internalError)
        #expect(error?.message.hasPrefix("internal error: qemu unexpectedly closed the monitor: ") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("Machine type received is 'pc-i440fx-7.2' and local is 'pc-i440fx-7.1'") == true,
                "\(error?.message ?? "")")
        try Self.expectRunsOnce(f, onSource: source)
        #expect(f.state.takeMigrationError("vm") == nil, "reported once, not kept")
    }

    @Test func destinationEmulatorCrashesAtStart() async throws {
        let f = try await MigrationFixture.start("f-crash")
        defer { f.close() }
        let source = try f.dom
        let bad = try Self.wrapper(f, "echo 'qemu-next: segfault at start' >&2\nkill -SEGV $$")
        let error = await #expect(throws: VirError.self) {
            try await f.conn.migrate3(source, to: f.conn.driver.connect(),
                                      params: f.migrationParams(destXML: try Self.destXML(f, emulator: bad)), flags: [.live, .local])
        }
        #expect(error?.message == "internal error: process exited while connecting to monitor: qemu-next: segfault at start")
        try Self.expectRunsOnce(f, onSource: source)
    }

    @Test func destinationKilledDuringTransfer() async throws {
        let f = try await MigrationFixture.start("f-dkill", shared: false, ballastMiB: 8)
        defer { f.close() }
        let source = try f.dom
        var phases = try Phases(f, params: f.migrationParams(bandwidth: 2))
        try await phases.begin()
        try await phases.prepare()
        let destPID = try #require(try f.incoming?.qemu.instance?.pid)
        let p = phases
        let perform = Task { () -> String? in
            var q = p
            do { try await q.perform(); return nil } catch { return "\(error)" }
        }
        try await Self.waitForTransfer(f, source)
        kill(destPID, SIGKILL)
        let failure = await perform.value
        #expect(failure?.contains("job 'migration out' failed") == true, "\(failure ?? "no error")")
        // Finish reports why the destination went away (it said nothing:
        // SIGKILL), as libvirt's Finish reports the incoming QEMU's error.
        let finish = await #expect(throws: VirError.self) { try await phases.finish(cancelled: true) }
        #expect(finish?.message == "internal error: qemu unexpectedly closed the monitor")
        try await phases.confirm(cancelled: true)
        // The source guest never stopped: it simply runs on.
        #expect(try f.conn.state(source) == .running(.booted))
        try Self.expectRunsOnce(f, onSource: source)
    }

    @Test func sourceKilledDuringTransferLeavesNothing() async throws {
        let f = try await MigrationFixture.start("f-skill", shared: false, ballastMiB: 8)
        defer { f.close() }
        let source = try f.dom
        let sourcePID = try #require(try f.conn.pid(source))
        var phases = try Phases(f, params: f.migrationParams(bandwidth: 2))
        try await phases.begin()
        try await phases.prepare()
        let p = phases
        let perform = Task { () -> Bool in
            var q = p
            do { try await q.perform(); return true } catch { return false }
        }
        try await Self.waitForTransfer(f, source)
        kill(sourcePID, SIGKILL)
        #expect(await perform.value == false)
        // The destination's QEMU got half a stream and says so.
        let finish = await #expect(throws: VirError.self) { try await phases.finish(cancelled: true) }
        #expect(finish?.message.hasPrefix("internal error: qemu unexpectedly closed the monitor") == true, "\(finish?.message ?? "")")
        #expect(finish?.message.contains("shutting down") == false, "the driver's own lines are not QEMU's words")
        try? await phases.confirm(cancelled: true)
        // The guest cannot survive its source dying before the switch-over:
        // the domain is shut off, and the incoming instance is gone too.
        #expect(try f.conn.state(f.conn.lookup(name: "vm")) == .shutoff(.crashed))
        #expect(f.qemuProcesses.isEmpty)
        #expect(f.instanceDirs.isEmpty)
        #expect(try f.incoming == nil)
        #expect(!FileManager.default.fileExists(atPath: f.conn.driver.config.ramFile(uuid: try f.obj.uuid.description)))
    }

    @Test func sourceKilledAfterTheSwitchOver() async throws {
        let f = try await MigrationFixture.start("f-safter")
        defer { f.close() }
        let source = try f.dom
        let sourcePID = try #require(try f.conn.pid(source))
        var phases = try Phases(f)
        try await phases.begin()
        try await phases.prepare()
        try await phases.perform()
        let dest = try #require(try await phases.finish(cancelled: false))
        let sourceObj = try f.conn.obj(source)
        kill(sourcePID, SIGKILL)
        // Confirm comes after the driver has dealt with the source's death.
        #expect(await Wait.until { sourceObj.qemu.instance == nil })
        try await phases.confirm(cancelled: false)
        #expect(try f.conn.lookup(name: "vm") == dest)
        try Self.expectRunsOnce(f, onSource: nil)
        #expect(try f.conn.state(dest) == .running(.migrated))
    }

    @Test func abortDuringTransferRollsBack() async throws {
        let f = try await MigrationFixture.start("f-abort", shared: false, ballastMiB: 8)
        defer { f.close() }
        let source = try f.dom
        let migration = Task { () -> String? in
            do {
                _ = try await f.conn.migrate3(source, to: f.conn.driver.connect(), params: f.migrationParams(bandwidth: 2),
                                              flags: [.live, .local])
                return nil
            } catch { return (error as? VirError)?.message ?? "\(error)" }
        }
        try await Self.waitForTransfer(f, source)
        try await f.conn.abortJob(source)
        #expect(await migration.value == "operation aborted: job 'migration out' canceled by client")
        try Self.expectRunsOnce(f, onSource: source)
        #expect(try await f.conn.jobStats(source).type == .none)
        let noJob = await #expect(throws: VirError.self) { try await f.conn.abortJob(source) }
        #expect(noJob?.message == "Requested operation is not valid: no job is active on the domain")
    }

    @Test func jobsDuringAMigration() async throws {
        let f = try await MigrationFixture.start("f-jobs", shared: false, ballastMiB: 8)
        defer { f.close() }
        let source = try f.dom
        let custom = f.root.path + "/custom-migrate.sock"
        let migrationParams = f.migrationParams(bandwidth: 2) + [TypedParameter(MigrateParam.downtime, .ullong(150)),
                                                                  TypedParameter(MigrateParam.uri, .string("unix:" + custom))]
        let migration = Task { () -> DomainRef? in
            try? await f.conn.migrate3(source, to: f.conn.driver.connect(), params: migrationParams, flags: [.live, .local])
        }
        try await Self.waitForTransfer(f, source)
        // The parameters reached QEMU: bandwidth in bytes/s, downtime in ms,
        // and the destination listens where migrate_uri said.
        let qemuParams = try await #require(try f.obj.qemu.instance).monitor().queryMigrateParameters()
        #expect(qemuParams["max-bandwidth"]?.int64Value == Int64(2 * 1_048_576))
        #expect(qemuParams["downtime-limit"]?.int64Value == Int64(150))
        #expect(FileManager.default.fileExists(atPath: custom))
        // Reads keep working.
        let (type, params) = try await f.conn.jobStats(source)
        #expect(type == .unbounded)
        let p = Dictionary(params.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        #expect(p["operation"] == .int(DomainJobOperation.migrationOut.rawValue))
        if case .ullong(let total)? = p["memory_total"] { #expect(total > 16_000_000) } else { Issue.record("no memory_total") }
        #expect(try f.conn.info(source).state == .running)
        #expect(try f.conn.xmlDesc(source).contains("<name>vm</name>"))
        #expect(f.conn.listAllDomains().count == 1)
        // Changes are refused at once.
        let resume = await #expect(throws: VirError.self) { try await f.conn.resume(source) }
        #expect(resume?.message == "Requested operation is not valid: domain 'vm' is being migrated (migration out job)")
        let undefine = await #expect(throws: VirError.self) { try await f.conn.undefine(source) }
        #expect(undefine?.code == .operationInvalid)
        let again = await #expect(throws: VirError.self) {
            try await f.conn.migrate3(source, to: f.conn.driver.connect(), params: [], flags: [.live, .local])
        }
        #expect(again?.message == "Requested operation is not valid: domain 'vm' is being migrated (migration out job)")
        let moved = try #require(await migration.value)
        #expect(moved.id != source.id)
        try Self.expectRunsOnce(f, onSource: nil)
    }

    @Test func aClientThatNeverCallsFinishIsRolledBack() async throws {
        let f = try await MigrationFixture.start("f-nofin")
        defer { f.close() }
        let source = try f.dom
        var phases = try Phases(f)
        try await phases.begin()
        try await phases.prepare()
        // The watchdog that Perform arms as it returns is the one that fires.
        f.state.migrationPhaseTimeout = .milliseconds(500)
        try await phases.perform()
        // The client goes quiet: the source guest is paused, the incoming
        // instance waits. The driver rolls back by itself.
        try await Self.waitUntil { try f.incoming == nil && f.conn.state(source).state == .running }
        #expect(try f.conn.state(source) == .running(.migrationCanceled))
        try Self.expectRunsOnce(f, onSource: source)
        let late = await #expect(throws: VirError.self) { try await phases.finish(cancelled: false) }
        #expect(late?.code == .noDomain)
    }

    @Test func aClientThatNeverCallsConfirmIsCompleted() async throws {
        let f = try await MigrationFixture.start("f-noconf")
        defer { f.close() }
        var phases = try Phases(f)
        try await phases.begin()
        try await phases.prepare()
        // The watchdog that Perform arms as it returns is the one that
        // fires; Finish must come before it (3 s: a loaded machine).
        f.state.migrationPhaseTimeout = .seconds(3)
        try await phases.perform()
        let dest = try #require(try await phases.finish(cancelled: false))
        // The guest runs in the new instance; the driver completes the
        // migration by itself.
        try await Self.waitUntil {
            try f.conn.lookup(name: "vm").id == dest.id && f.qemuProcesses.count == 1 && f.instanceDirs.count == 1
        }
        try Self.expectRunsOnce(f, onSource: nil)
        #expect(try f.conn.lookup(name: "vm") == dest)
    }

    @Test func aClientThatStopsAfterBeginIsRolledBack() async throws {
        let f = try await MigrationFixture.start("f-begin")
        defer { f.close() }
        f.state.migrationPhaseTimeout = .milliseconds(300)
        let source = try f.dom
        var phases = try Phases(f)
        try await phases.begin()
        try await Self.waitUntil { try f.obj.qemu.jobs.asyncJob == nil }
        try Self.expectRunsOnce(f, onSource: source)
        // The domain can migrate again, at the driver's own pace: the short
        // timeout was for the phase this test waited out (on a loaded
        // machine the gap between two phases can exceed it).
        f.state.migrationPhaseTimeout = .seconds(120)
        _ = try await f.conn.migrate3(source, to: f.conn.driver.connect(), params: [], flags: [.live, .local])
    }

    /// Waits until the slow migration is sending.
    static func waitForTransfer(_ f: MigrationFixture, _ dom: DomainRef) async throws {
        try await waitUntil {
            let (type, params) = try await f.conn.jobStats(dom)
            guard type == .unbounded else { return false }
            return params.contains { $0.name == "memory_processed" && $0.value != .ullong(0) }
        }
    }

    /// `Wait.until`, recording an issue when the condition never holds.
    static func waitUntil(timeout: Duration = Wait.defaultTimeout, _ condition: () async throws -> Bool) async throws {
        if try await !Wait.until(timeout: timeout, condition) {
            Issue.record("condition not met within \(timeout)")
        }
    }
}
