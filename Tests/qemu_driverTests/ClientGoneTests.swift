import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_driver
import virdomainobjlist

/// Patch 4 in action: the client driving a local migration goes away at any
/// phase boundary, and the VM ends up running exactly once, with the right
/// id, and nothing of the abandoned instance is left (no process, no
/// directory, no table entry).
///
/// The client is a separate process (test-migration-client) holding the
/// embedded driver. SIGTERM: it closes its connections, whose close
/// callbacks finish or roll back the migration. SIGKILL: nothing runs in
/// it; the next driver to open the root does the same from the status files.
@Suite(.serialized) struct ClientGoneTests {
    enum Boundary: String, CaseIterable, Sendable {
        case begin, prepare, duringPerform = "perform-start", perform, finish
        /// After Finish the guest runs in the new instance: the migration completes.
        var completes: Bool { self == .finish }
    }

    static let cases: [(Boundary, Int32)] = Boundary.allCases.flatMap { [($0, SIGTERM), ($0, SIGKILL)] }

    @Test(arguments: cases)
    func clientGoesAway(_ boundary: Boundary, _ signal: Int32) async throws {
        let client = try #require(BuiltProduct.path("test-migration-client"), "build the package first (make test does)")
        let label = "gone\(boundary.rawValue.prefix(4))\(signal)"
        let slow = boundary == .duringPerform
        // Set up the VM, then let go of the root: the client takes it.
        var f: MigrationFixture? = try await MigrationFixture.start(label, shared: !slow, ballastMiB: slow ? 8 : nil)
        guard let fixture = f else { return }
        let root = fixture.root
        defer { #expect(root.cleanup() == []) }
        let sourceID = try #require(try fixture.dom.id)
        let serial = fixture.serial
        fixture.conn.driver.close()
        f = nil

        let process = try Subprocess(client, [root.uri, "vm", boundary.rawValue] + (slow ? ["2"] : []),
                                     stdout: .pipe, stderr: .inherit)
        let line = try await Self.readLine(try #require(process.standardOutput), timeout: .seconds(60))
        let fields = line.split(separator: " ")
        #expect(fields.first == "READY" && fields.dropFirst().first.map(String.init) == boundary.rawValue, "client said: \(line)")
        let destID = fields.count > 2 ? Int(fields[2]) : nil

        kill(process.processIdentifier, signal)
        process.wait()
        if signal == SIGTERM {
            // The client handled it: its close callbacks ended the
            // migration before it exited, with no driver needed after it.
            #expect(process.terminationStatus == 0 && !process.wasSignaled, "the client exited by itself")
            #expect(TestRoot.processes(mentioning: root.path).count == 1, "one QEMU left by the client's close callbacks")
            #expect(Self.instanceDirs(root).count == 1)
            let statuses = Self.instanceDirs(root).compactMap { try? String(contentsOfFile: root.path + "/run/qemu/\($0)/status.xml", encoding: .utf8) }
            #expect(!statuses.contains { $0.contains("<migration ") }, "no migration left in a status file")
        }

        // A new driver on the root: the VM runs exactly once.
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let expectedID = boundary.completes ? try #require(destID) : sourceID
        // Recovery may still be stopping the abandoned instance.
        _ = await Wait.until { TestRoot.processes(mentioning: root.path).count == 1 && Self.instanceDirs(root).count == 1 }
        let dom = try conn.lookup(name: "vm")
        #expect(dom.id == expectedID, "\(boundary) \(signal): expected instance \(expectedID)")
        #expect(try conn.state(dom).state == .running)
        #expect(conn.driver.state.domains.findRemote(byUUID: dom.uuid) == nil, "no incoming instance in the remote tables")
        #expect(conn.listAllDomains(.active).count == 1)
        let processes = TestRoot.processes(mentioning: root.path)
        let pid = try conn.pid(dom)
        #expect(processes.count == 1 && processes.first == pid, "one QEMU, the domain's")
        #expect(Self.instanceDirs(root) == ["domain-\(expectedID)-vm"], "only the live instance's directory")
        #expect(conn.driver.state.closeCallbacks.count == 0)
        // The guest keeps counting, without a restart.
        let n = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: n + 3))
        let counters = CounterGuest.counters(inLog: serial)
        #expect(counters == Array(0..<counters.count))
        // And it can migrate again.
        _ = try await conn.migrate3(dom, to: conn.driver.connect(), params: [], flags: [.live, .local])
        try await conn.destroy(conn.lookup(name: "vm"))
    }

    static func instanceDirs(_ root: TestRoot) -> [String] {
        root.files(under: "run/qemu").filter { $0.hasPrefix("domain-") && !$0.contains("/") }
    }

    static func readLine(_ handle: FileHandle, timeout: Duration) async throws -> String {
        let task = Task.detached { () -> String in
            var data = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                data.append(chunk)
                if data.contains(0x0A) { break }
            }
            return String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        }
        let timer = Task { try await Task.sleep(for: timeout); task.cancel() }
        defer { timer.cancel() }
        return await task.value
    }
}

/// `start --autodestroy`: the domain dies with the connection that started it.
@Suite(.serialized) struct AutodestroyTests {
    @Test func closingTheConnectionDestroysTheDomain() async throws {
        let root = TestRoot("autod")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let other = conn.driver.connect()
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "a", disk: try CounterGuest.disk(in: root.path), serialLog: root.path + "/s.log"))
        try await conn.create(dom, autodestroy: true)
        let running = try conn.lookup(name: "a")
        // Migrating it is refused, as libvirt refuses it.
        let refused = await #expect(throws: VirError.self) {
            try await conn.migrate3(running, to: other, params: [], flags: [.live, .local])
        }
        #expect(refused?.message == "Requested operation is not valid: domain is marked for auto destroy")
        // Another connection closing does nothing to it.
        await other.close()
        #expect(try conn.isActive(running))
        await conn.close()
        #expect(try conn.state(dom) == .shutoff(.destroyed))
        #expect(TestRoot.processes(mentioning: root.path).isEmpty)
    }

    @Test func aDriverFindingAnAutodestroyDomainDestroysIt() async throws {
        let root = TestRoot("autod2")
        defer { #expect(root.cleanup() == []) }
        var conn: QemuConnection? = try await QemuDriver.connect(uri: root.uri)
        let dom = try #require(conn).defineXML(CounterGuest.domainXML(name: "a", disk: try CounterGuest.disk(in: root.path), serialLog: root.path + "/s.log"))
        try await #require(conn).create(dom, autodestroy: true)
        // The process that started it "dies" without closing its connection.
        conn?.driver.close()
        conn = nil
        let next = try await QemuDriver.connect(uri: root.uri)
        defer { next.driver.close() }
        #expect(try next.state(next.lookup(name: "a")) == .shutoff(.destroyed))
        #expect(TestRoot.processes(mentioning: root.path).isEmpty)
    }
}
