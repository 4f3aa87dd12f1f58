import Foundation
import Testing
import TestSupport

/// The misuses the driver refuses (issue 13, item 3), reached through our
/// daemon by a python client with libvirt's own client library
/// (fixtures/python/migration_misuse.py): the phases called out of order,
/// a stream sent elsewhere than where Prepare listens, two migrations of
/// one domain at once. After each, the guest runs exactly once.
@Suite(.serialized) struct PythonMigrationMisuseTests {
    static let script = Fixtures.projectRoot.appendingPathComponent("fixtures/python/migration_misuse.py").path

    /// Runs one case; its `key=value` lines.
    static func run(_ daemon: VirtqemudProcess, _ name: String, _ extra: [String] = []) throws -> [String: [String]] {
        let r = try Subprocess.run("/usr/bin/python3", [script, daemon.uri, name] + extra, timeout: 120)
        #expect(r.status == 0, "\(name): \(r)")
        var lines: [String: [String]] = [:]
        for line in r.stdout.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            lines[String(line[..<eq]), default: []].append(String(line[line.index(after: eq)...]))
        }
        return lines
    }

    @Test func misusesAreRefusedAndTheGuestRunsOnce() throws {
        try #require(Command.hasPythonLibvirt, "python3-libvirt is not installed")
        let root = TestRoot("pymis")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let serial = try PythonMigrationTests.startCounterGuest(daemon)
        func id() throws -> String { try Command.virsh(daemon.uri, "domid", "vm").stdout }

        // Perform to a URI of the client's choosing: refused, nothing sent
        // there; Finish is then refused too; Confirm rolls back.
        let stolen = root.path + "/stolen"
        let w = try Self.run(daemon, "wrong-uri", [stolen])
        let listen = try #require(w["prepare_uri"]?.first)
        #expect(w["perform"] == ["error:74:argument unsupported: migration URI 'exec:cat > \(stolen)' is not where the incoming instance listens ('\(listen)')"])
        #expect(w["finish"] == ["error:55:Requested operation is not valid: migration of domain 'vm' was not performed: the incoming instance is abandoned and the domain runs on in its source instance"])
        #expect(w["confirm"] == ["ok"])
        #expect(!FileManager.default.fileExists(atPath: stolen), "QEMU never got the exec: URI")
        #expect(try id() == "1\n\n", "the source instance runs on")
        #expect(DaemonLifecycleTests.runsExactlyOnce(daemon))

        // Finish without Perform.
        let f = try Self.run(daemon, "finish-without-perform")
        #expect(f["finish"] == ["error:55:Requested operation is not valid: migration of domain 'vm' was not performed: the incoming instance is abandoned and the domain runs on in its source instance"])
        #expect(f["confirm"] == ["ok"])
        #expect(try id() == "1\n\n")
        #expect(DaemonLifecycleTests.runsExactlyOnce(daemon))

        // A cancel after the destination runs: the migration completes.
        let c = try Self.run(daemon, "cancel-after-finish")
        let finished = try #require(c["finish"]?.first)
        #expect(finished.hasPrefix("id:"))
        #expect(c["confirm"] == ["ok"])
        #expect(try id() == String(finished.dropFirst(3)) + "\n\n", "the guest stays where it runs")
        #expect(DaemonLifecycleTests.runsExactlyOnce(daemon))

        // Two migrations at once: one claims the domain, the other is refused.
        let m = try Self.run(daemon, "concurrent")
        let results = m["migrate"] ?? []
        #expect(results.count == 2)
        #expect(results.filter { $0.hasPrefix("id:") }.count == 1, "\(results)")
        #expect(results.filter { $0 == "error:55:Requested operation is not valid: domain 'vm' is being migrated (migration out job)" }.count == 1,
                "\(results)")
        #expect(DaemonLifecycleTests.runsExactlyOnce(daemon))

        let last = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: last + 3))
        #expect(PythonMigrationTests.neverRestarted(serial))
    }
}
