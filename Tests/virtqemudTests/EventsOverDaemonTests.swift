import Foundation
import Glibc
import Testing
import TestSupport

/// `virsh event` through the daemon: Debian's virsh and ours, each with
/// `event --all --loop`, watch a guest paused, resumed and moved by a
/// local migration, and print the same events, in libvirt's order.
@Suite(.serialized) struct EventsOverDaemonTests {
    /// The lines of a watcher's output, the job statistics' figures masked
    /// (they differ between two reads of nothing).
    static func masked(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("\t"), let colon = line.firstIndex(of: ":") else { return String(line) }
            return String(line[...colon]) + " N"
        }
    }

    @Test func eventLoopShowsALocalMigrationInLibvirtsOrder() throws {
        let virsh = try #require(BuiltProduct.path("virsh"), "build the package first (make test does)")
        let root = TestRoot("ovev")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let serial = try PythonMigrationTests.startCounterGuest(daemon)
        var env = ProcessInfo.processInfo.environment
        env["LIBVIRT_DEFAULT_URI"] = nil
        env["LC_ALL"] = "C"
        let watchers = try [("debian", "/usr/bin/virsh"), ("ours", virsh)].map { label, binary in
            let out = root.path + "/events-\(label).txt"
            let p = try Subprocess(binary, ["-c", daemon.uri, "event", "--all", "--loop"], environment: env,
                                   stdout: .file(out), stderr: .file(out))
            return (label: label, out: out, process: p)
        }
        defer { for w in watchers where w.process.isRunning { w.process.signal(SIGKILL); w.process.wait() } }
        func output(_ w: (label: String, out: String, process: Subprocess)) -> String {
            (try? String(contentsOfFile: w.out, encoding: .utf8)) ?? ""
        }

        // Both watchers are registered once each has seen a pause and a
        // resume (an event raised before a registration is not replayed).
        let registered = Wait.untilBlocking(timeout: .seconds(60), every: .milliseconds(200)) {
            _ = try? Command.virsh(daemon.uri, "suspend", "vm")
            _ = try? Command.virsh(daemon.uri, "resume", "vm")
            return watchers.allSatisfy { output($0).contains("Resumed Unpaused") }
        }
        #expect(registered, "\(watchers.map(output))")

        let m = try Subprocess.run(virsh, ["-c", daemon.uri, "migrate", "--live", "--local", "vm", daemon.uri], environment: env)
        #expect(m.status == 0, "\(m)")
        #expect(Wait.untilBlocking(timeout: .seconds(30)) { watchers.allSatisfy { output($0).contains("'job-completed'") } },
                "\(watchers.map(output))")
        for w in watchers { w.process.signal(SIGINT) }
        for w in watchers {
            #expect(w.process.wait(timeout: 30), "\(w.label) ends on Ctrl-C")
        }

        let texts = watchers.map(output)
        for (w, text) in zip(watchers, texts) {
            let count = text.components(separatedBy: "event '").count - 1
            #expect(text.hasSuffix("event loop interrupted\nevents received: \(count)\n\n"), "\(w.label): \(text)")
        }
        // From the migration on (the watchers registered at different
        // moments of the pause-resume loop before it).
        let migrations = texts.map { text -> [String] in
            let lines = Self.masked(text)
            // The count covers the events before the migration too, which
            // differ between the watchers: it is checked above, per watcher.
            return Array(lines.drop { $0 != "event 'lifecycle' for domain 'vm': Started Migrated" })
                .filter { !$0.hasPrefix("events received: ") }
        }
        #expect(migrations[0] == migrations[1], "Debian's virsh and ours print the same events")

        // The migration's events, in libvirt's order: the destination
        // started, the source's memory passes, the source paused at the
        // switch, the destination resumed, the source stopped, the job's
        // statistics.
        let migration = migrations[1]
        let iterations = migration.filter { $0.hasPrefix("event 'migration-iteration'") }
        #expect(iterations.first == "event 'migration-iteration' for domain 'vm': iteration: '1'", "\(migration)")
        let lifecycle = migration.filter { $0.hasPrefix("event 'lifecycle'") || $0.hasPrefix("event 'job-completed'") }
        #expect(lifecycle == [
            "event 'lifecycle' for domain 'vm': Started Migrated",
            "event 'lifecycle' for domain 'vm': Suspended Migrated",
            "event 'lifecycle' for domain 'vm': Resumed Migrated",
            "event 'lifecycle' for domain 'vm': Stopped Migrated",
            "event 'job-completed' for domain 'vm':",
        ], "\(migration)")
        let firstIteration = try #require(migration.firstIndex { $0.hasPrefix("event 'migration-iteration'") })
        let started = try #require(migration.firstIndex(of: "event 'lifecycle' for domain 'vm': Started Migrated"))
        let paused = try #require(migration.firstIndex(of: "event 'lifecycle' for domain 'vm': Suspended Migrated"))
        #expect(started < firstIteration && firstIteration < paused, "\(migration)")
        #expect(migration.contains("\tdowntime: N") && migration.contains("\toperation: N"), "\(migration)")
        #expect(PythonMigrationTests.neverRestarted(serial))
    }
}
