import Foundation
import Glibc
import Testing
import TestSupport

/// The daemon is killed with SIGKILL at random moments of 100 back-to-back
/// local migrations (driven by python3-libvirt, each in a process of its
/// own), and restarted: after each, the guest runs exactly once, from where
/// it was, and nothing of another instance is left.
@Suite(.serialized) struct DaemonKilledAtRandomTests {
    static let migrateScript = """
    import libvirt, sys
    uri = sys.argv[1]
    src = libvirt.open(uri)
    dst = libvirt.open(uri)
    dom = src.lookupByName("vm")
    dom.migrate3(dst, {}, libvirt.VIR_MIGRATE_LIVE | (1 << 21))
    print("done", flush=True)
    """

    /// SplitMix64: the seed is printed, so a failing run can be replayed.
    struct Moments: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(.timeLimit(.minutes(20)))
    func aHundredMigrationsWithTheDaemonKilledAtRandom() throws {
        try #require(Command.hasPythonLibvirt, "python3-libvirt is not installed")
        let root = TestRoot("chaos")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let serial = try PythonMigrationTests.startCounterGuest(daemon)
        let seed = ProcessInfo.processInfo.environment["LM_CHAOS_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        var moments = Moments(state: seed)
        print("DaemonKilledAtRandomTests: seed \(seed) (LM_CHAOS_SEED replays it)")
        var finished = 0, interrupted = 0
        for i in 0..<100 {
            let python = try Subprocess("/usr/bin/python3", ["-c", Self.migrateScript, daemon.uri])
            // Anywhere from before the client connects to after it is done
            // (python starts and connects in about 0.1 s, and a migration
            // of the counter guest through the daemon takes about as long:
            // with 0.45 s, 78 of 100 kills came after the end).
            usleep(UInt32.random(in: 0..<250_000, using: &moments))
            daemon.stop(SIGKILL)
            #expect(python.wait(timeout: 60), "the client ends once the daemon is gone")
            if python.terminationStatus == 0 { finished += 1 } else { interrupted += 1 }
            try daemon.restart()

            let context = "migration \(i), seed \(seed):\n\(daemon.log.suffix(3000))"
            #expect(DaemonLifecycleTests.runsExactlyOnce(daemon), "one QEMU runs the guest, listed once, not paused: \(context)")
            let all = try Command.virsh(daemon.uri, "list", "--all", "--name")
            #expect(all.stdout == "vm\n\n", "listed once: \(all) \(context)")
            let info = try Command.virsh(daemon.uri, "dominfo", "vm")
            #expect(info.status == 0 && info.stdout.contains("State:          running"), "\(info) \(context)")
            let dirs = root.files(under: "run/qemu").filter { $0.hasPrefix("domain-") && !$0.contains("/") }
            #expect(dirs.count == 1, "one instance directory: \(dirs) \(context)")
            let last = CounterGuest.counters(inLog: serial).last ?? 0
            #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: last + 2), "the guest counts on: \(context)")
            #expect(PythonMigrationTests.neverRestarted(serial), "never back: \(context)")
            if !(daemon.qemuProcesses.count == 1 && dirs.count == 1) { break }
        }
        print("DaemonKilledAtRandomTests: \(finished) migrations finished before the kill, \(interrupted) clients killed off before their end (connecting or migrating)")
        #expect(interrupted > 0, "some kills fell before a migration ended")
        // A migration afterwards works.
        let run = try Subprocess.run("/usr/bin/python3", ["-c", Self.migrateScript, daemon.uri], timeout: 120)
        #expect(run.status == 0 && run.stdout.contains("done"), "\(run)")
        #expect(DaemonLifecycleTests.runsExactlyOnce(daemon))
    }
}
