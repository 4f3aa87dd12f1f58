import Foundation
import Testing
import TestSupport
import libvirt_abi
import qemu_driver

/// The driver owns both ends of a local migration, so it does not take the
/// client's word for the order of the phases: no Finish without a Perform
/// that succeeded, no rollback once the destination runs the guest, no
/// stream sent anywhere but where Prepare listens.
@Suite(.serialized) struct MigrationMisuseTests {
    struct Phases {
        let f: MigrationFixture
        let dconn: QemuConnection
        let flags: MigrateFlags = [.live, .local]
        var params: [TypedParameter] = []
        var cookie = ""
        var uri = ""

        init(_ f: MigrationFixture) async throws {
            self.f = f
            dconn = f.conn.driver.connect()
            let (c1, xml) = try await f.conn.migrateBegin3(try f.dom, params: [], flags: flags)
            params = [TypedParameter(MigrateParam.destXML, .string(xml)), TypedParameter(MigrateParam.destName, .string("vm"))]
            let (c2, u) = try await dconn.migratePrepare3(cookie: c1, params: params, flags: flags)
            cookie = c2
            uri = u
        }

        func perform(uri: String? = nil) async throws -> String {
            try await f.conn.migratePerform3(try f.dom, cookie: cookie,
                                            params: params + [TypedParameter(MigrateParam.uri, .string(uri ?? self.uri))], flags: flags)
        }

        func finish(_ cookie: String, cancelled: Bool = false) async throws -> DomainRef? {
            try await dconn.migrateFinish3(params: params + [TypedParameter(MigrateParam.uri, .string(uri))], cookie: cookie,
                                           flags: flags, cancelled: cancelled)
        }
    }

    @Test func performSendsOnlyWherePrepareListens() async throws {
        let f = try await MigrationFixture.start("mis-uri")
        defer { f.close() }
        let source = try f.dom
        let p = try await Phases(f)
        for bad in ["exec:cat > \(f.root.path)/stolen", "unix:\(f.root.path)/elsewhere.sock"] {
            let error = await #expect(throws: VirError.self) { _ = try await p.perform(uri: bad) }
            #expect(error?.code == .argumentUnsupported)
            #expect(error?.message == "argument unsupported: migration URI '\(bad)' is not where the incoming instance listens ('\(p.uri)')")
        }
        #expect(!FileManager.default.fileExists(atPath: f.root.path + "/stolen"), "QEMU never got the exec: URI")
        // Perform failed: Finish is refused, Confirm rolls back.
        let finish = await #expect(throws: VirError.self) { _ = try await p.finish("") }
        #expect(finish?.message.contains("was not performed") == true, "\(String(describing: finish))")
        try await f.conn.migrateConfirm3(source, cookie: "", flags: p.flags, cancelled: true)
        #expect(try f.conn.lookup(name: "vm") == source)
        #expect(try f.conn.state(source).state == .running)
        #expect(try f.runsExactlyOnce())
        #expect(f.counterAdvances())
    }

    @Test func finishWithoutPerformIsRefused() async throws {
        let f = try await MigrationFixture.start("mis-fin")
        defer { f.close() }
        let source = try f.dom
        let p = try await Phases(f)
        let error = await #expect(throws: VirError.self) { _ = try await p.finish(p.cookie) }
        #expect(error?.code == .operationInvalid)
        #expect(error?.message == "Requested operation is not valid: migration of domain 'vm' was not performed: the incoming instance is abandoned and the domain runs on in its source instance")
        try await f.conn.migrateConfirm3(source, cookie: "", flags: p.flags, cancelled: true)
        #expect(try f.runsExactlyOnce())
        #expect(f.counterAdvances())
        #expect(f.countersAreContinuous())
    }

    @Test func aCancelAfterTheDestinationRunsCompletesInstead() async throws {
        let f = try await MigrationFixture.start("mis-cnf")
        defer { f.close() }
        let source = try f.dom
        let p = try await Phases(f)
        let c3 = try await p.perform()
        let dest = try #require(try await p.finish(c3))
        #expect(f.counterAdvances(), "the destination runs the guest")
        try await f.conn.migrateConfirm3(source, cookie: "", flags: p.flags, cancelled: true)
        #expect(try f.conn.lookup(name: "vm").id == dest.id, "the guest stays where it runs")
        #expect(try f.runsExactlyOnce())
        #expect(f.counterAdvances())
        #expect(f.countersAreContinuous(), "never back to the source's older state")
    }
}
