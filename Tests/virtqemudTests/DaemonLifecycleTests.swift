import Foundation
import Glibc
import Testing
import TestSupport
import remote

/// The daemon's own life: its socket, SIGTERM (VMs untouched), restart
/// (VMs found again), SIGKILL in the middle of a migration, a client that
/// dies in the middle of one.
@Suite(.serialized) struct DaemonLifecycleTests {
    @Test func socketIsPrivateAndRealLibvirtSocketsAreRefused() throws {
        let root = TestRoot("sock")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        var st = stat()
        #expect(stat(daemon.socket, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o700)  // libvirt's unix_sock_rw_perms without polkit
        #expect(stat(daemon.socket + "-ro", &st) == 0)
        #expect(st.st_mode & 0o777 == 0o777)
        #expect(daemon.log.contains("listening"))

        let binary = try #require(VirtqemudProcess.binary)
        let refused = try Command.run(binary, ["--socket", "/run/libvirt/libvirt-sock", "--root", root.path + "/x"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("refusing to listen on /run/libvirt/libvirt-sock"))
        // A second daemon on a live socket is refused; the first keeps serving.
        let second = try Command.run(binary, ["--socket", daemon.socket, "--root", root.path + "/y"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("another daemon is listening"))
        #expect(try Command.virsh(daemon.uri, "list").status == 0)
    }

    @Test func sigtermLeavesVMsRunningAndARestartFindsThem() throws {
        let root = TestRoot("term")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let serial = try PythonMigrationTests.startCounterGuest(daemon)
        let pid = try #require(daemon.qemuProcesses.first)

        #expect(daemon.stop(SIGTERM) == 0, "clean exit on SIGTERM:\n\(daemon.log)")
        #expect(daemon.log.contains("domains left running"))
        #expect(!FileManager.default.fileExists(atPath: daemon.socket), "the socket is removed")
        #expect(!FileManager.default.fileExists(atPath: daemon.socket + "-ro"), "the read-only socket is removed")
        #expect(daemon.qemuProcesses == [pid], "the VM is untouched")
        #expect(PythonMigrationTests.neverRestarted(serial))

        try daemon.restart()
        let st = try Command.virsh(daemon.uri, "domstate", "vm")
        #expect(st.stdout == "running\n\n", "\(st)")
        #expect(try Command.virsh(daemon.uri, "domid", "vm").stdout == "1\n\n")
        #expect(daemon.qemuProcesses == [pid])
        let counter = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: counter + 3))
    }

    /// A migration slow enough to interrupt: private memory with 8 MiB of
    /// random ballast at 1 MiB/s.
    static let slowMigrationScript = """
    import libvirt, sys
    uri = sys.argv[1]
    src = libvirt.open(uri)
    dst = libvirt.open(uri)
    dom = src.lookupByName("vm")
    print("migrating", flush=True)
    dom.migrate3(dst, {libvirt.VIR_MIGRATE_PARAM_BANDWIDTH: 1}, libvirt.VIR_MIGRATE_LIVE | (1 << 21))
    print("done", flush=True)
    """

    /// Starts the slow migration in a python process and waits until the
    /// source runs its outgoing migration job.
    static func startSlowMigration(_ daemon: VirtqemudProcess) throws -> Subprocess {
        let p = try Subprocess("/usr/bin/python3", ["-c", slowMigrationScript, daemon.uri])
        let c = try daemon.client()
        defer { c.close() }
        let dom = try c.call(RemoteCalls.DomainLookupByName.self, StringValue("vm")).dom
        let sending = try Wait.untilBlocking(every: .milliseconds(50)) {
            let stats = try c.call(RemoteCalls.DomainGetJobStats.self, DomainFlagsArgs(dom: dom))
            let processed = stats.params.first { $0.name == "memory_processed" }
            if stats.type == 2, case .ullong(let n)? = processed?.value { return n > 0 }
            return false
        }
        if sending { return p }
        p.terminate()
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the migration did not start"])
    }

    /// Waits until the VM runs exactly once: one QEMU, listed once, running.
    static func runsExactlyOnce(_ daemon: VirtqemudProcess, timeout: Duration = .seconds(60)) -> Bool {
        Wait.untilBlocking(timeout: timeout, every: .milliseconds(200)) {
            guard daemon.qemuProcesses.count == 1,
                  let st = try? Command.virsh(daemon.uri, "domstate", "vm"), st.stdout == "running\n\n",
                  let l = try? Command.virsh(daemon.uri, "list", "--name") else { return false }
            return l.stdout == "vm\n\n"
        }
    }

    @Test func daemonKilledMidMigrationAndRestartedRunsTheVMOnce() throws {
        try #require(Command.hasPythonLibvirt, "python3-libvirt is not installed")
        let root = TestRoot("dkill")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let serial = try PythonMigrationTests.startCounterGuest(daemon, shared: false, ballastMiB: 8)
        let python = try Self.startSlowMigration(daemon)
        #expect(daemon.qemuProcesses.count == 2, "source and destination during the migration")

        daemon.stop(SIGKILL)
        python.wait()
        #expect(python.terminationStatus != 0, "the client sees the daemon go")
        try daemon.restart()
        #expect(Self.runsExactlyOnce(daemon), "after the restart the VM runs exactly once:\n\(daemon.log)")
        let counter = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: counter + 3), "and counts on")
        #expect(PythonMigrationTests.neverRestarted(serial))
    }

    @Test func clientKilledMidMigrationIsRolledBackByCloseCallbacks() throws {
        try #require(Command.hasPythonLibvirt, "python3-libvirt is not installed")
        let root = TestRoot("ckill")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let serial = try PythonMigrationTests.startCounterGuest(daemon, shared: false, ballastMiB: 8)
        let python = try Self.startSlowMigration(daemon)
        kill(python.processIdentifier, SIGKILL)
        python.wait()

        #expect(daemon.isRunning)
        // The daemon closes the dead client's connection once its Perform
        // call returns; the connection's close callbacks (patch 4, in the
        // driver) then finish or roll back the migration.
        #expect(Self.runsExactlyOnce(daemon, timeout: .seconds(60)), "the VM runs exactly once:\n\(daemon.log)")
        #expect(PythonMigrationTests.neverRestarted(serial))
        #expect(daemon.isRunning)
    }
}
