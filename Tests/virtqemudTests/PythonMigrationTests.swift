import Foundation
import Glibc
import Testing
import TestSupport

/// Debian's python3-libvirt drives a local migration through our daemon:
/// two connections (source and destination) to one daemon, and the
/// series' `VIR_MIGRATE_LOCAL` (1 << 21).
@Suite(.serialized) struct PythonMigrationTests {
    /// Defines and starts the counter guest through `uri`; returns the
    /// serial log's path.
    static func startCounterGuest(_ daemon: VirtqemudProcess, name: String = "vm", shared: Bool = true, memfd: Bool = false,
                                  ballastMiB: Int? = nil, emulator: String? = nil, dirtier: Bool = false,
                                  extraDevices: String = "", features: String = "", ptyConsole: Bool = false) throws -> String {
        let root = daemon.root
        let serial = root.path + "/serial.log"
        let disk = try CounterGuest.disk(in: root.path, dirtier: dirtier)
        let ballast = try ballastMiB.map { try CounterGuest.ballast(in: root.path, mebibytes: $0) }
        let xmlFile = root.path + "/vm.xml"
        try CounterGuest.domainXML(name: name, disk: disk, serialLog: serial, sharedMemory: shared, memfd: memfd, emulator: emulator,
                                     extraDevices: extraDevices, ballast: ballast, features: features, ptyConsole: ptyConsole)
            .write(toFile: xmlFile, atomically: true, encoding: .utf8)
        let d = try Command.virsh(daemon.uri, "define", xmlFile)
        #expect(d.status == 0, "\(d)")
        let s = try Command.virsh(daemon.uri, "start", name)
        #expect(s.status == 0, "\(s)")
        if !ptyConsole {
            #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: 3), "the guest counts before the migration")
        }
        return serial
    }

    /// The counters of the log never go back: the guest was not restarted
    /// (the split between the two QEMUs' output may fall mid-line, which
    /// can drop one number, never repeat one from the start).
    static func neverRestarted(_ serial: String) -> Bool {
        let c = CounterGuest.counters(inLog: serial)
        return !c.isEmpty && zip(c, c.dropFirst()).allSatisfy { $1 > $0 }
    }

    static let migrate3Script = """
    import libvirt, sys, time
    uri, name, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    src = libvirt.open(uri)
    dst = libvirt.open(uri)
    dom = src.lookupByName(name)
    before = dom.ID()
    flags = libvirt.VIR_MIGRATE_LIVE | (1 << 21)
    if mode == "p2p":
        dom.migrateToURI3(uri, {}, flags | libvirt.VIR_MIGRATE_PEER2PEER)
        new = dst.lookupByName(name)
    else:
        new = dom.migrate3(dst, {}, flags)
    state = new.state()
    print("before=%d after=%d state=%d,%d" % (before, new.ID(), state[0], state[1]))
    print("listed=%s" % ",".join("%s:%d" % (d.name(), d.ID()) for d in src.listAllDomains()))
    """

    @Test(arguments: ["migrate3", "p2p"])
    func localMigrationMovesTheCounterGuest(_ mode: String) throws {
        try #require(Command.hasPythonLibvirt, "python3-libvirt is not installed")
        let root = TestRoot("py\(mode.prefix(3))")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let serial = try Self.startCounterGuest(daemon)
        let pidBefore = try #require(daemon.qemuProcesses.first)

        let r = try Command.python(Self.migrate3Script, [daemon.uri, "vm", mode])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("before=1 after=2 state=1,2"), "running (migrated) in a new instance: \(r)")
        #expect(r.stdout.contains("listed=vm:2\n"), "listed once, with the new id: \(r)")

        let counterAtSwitch = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: counterAtSwitch + 5), "the counter goes on")
        #expect(Self.neverRestarted(serial), "the guest was never restarted")
        let after = daemon.qemuProcesses
        #expect(after.count == 1 && after.first != pidBefore, "one QEMU, the new one: \(after) (was \(pidBefore))")
        let st = try Command.virsh(daemon.uri, "domstate", "--reason", "vm")
        #expect(st.stdout == "running (migrated)\n\n", "\(st)")
    }

    /// QEMU 10.0's cpr-transfer through the daemon, chosen by the
    /// `local_mode` typed parameter from python3-libvirt: the completed
    /// job's statistics say how the guest moved and that no RAM page went.
    @Test func pythonAsksForCPRTransferAndTheJobStatisticsSaySo() throws {
        try #require(Command.hasPythonLibvirt, "python3-libvirt is not installed")
        let root = TestRoot("pycpr")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let serial = try Self.startCounterGuest(daemon, shared: false, memfd: true, emulator: Emulators.qemu100)
        let script = """
        import libvirt, sys
        src = libvirt.open(sys.argv[1]); dst = libvirt.open(sys.argv[1])
        flags = libvirt.VIR_MIGRATE_LIVE | (1 << 21)
        for mode in ["cpr-transfer", "normal"]:
            dom = src.lookupByName("vm")
            new = dom.migrate3(dst, {"local_mode": mode}, flags)
            st = new.jobStats(libvirt.VIR_DOMAIN_JOB_STATS_COMPLETED)
            print("%s: id=%d mode=%s normal_bytes=%d" % (mode, new.ID(), st.get("migration_mode"), st.get("memory_normal_bytes", -1)))
        try:
            src.lookupByName("vm").migrate3(dst, {"local_mode": "fast"}, flags)
        except libvirt.libvirtError as e:
            print("refused: %s" % e.get_error_message())
        """
        let r = try Command.python(script, [daemon.uri])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("cpr-transfer: id=2 mode=cpr-transfer normal_bytes=0\n"), "\(r)")
        #expect(r.stdout.contains("normal: id=3 mode=normal normal_bytes="), "\(r)")
        #expect(!r.stdout.contains("normal_bytes=0\nrefused"), "the normal mode copied the memfd's pages: \(r)")
        #expect(r.stdout.contains("refused: invalid argument: invalid value 'fast' for parameter 'local_mode', expected 'cpr-transfer' or 'normal'\n"), "\(r)")
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: (CounterGuest.counters(inLog: serial).last ?? 0) + 3))
        #expect(Self.neverRestarted(serial))
        #expect(daemon.qemuProcesses.count == 1)
    }

    @Test func lifecycleEventsReachPython() throws {
        try #require(Command.hasPythonLibvirt, "python3-libvirt is not installed")
        let root = TestRoot("pyev")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        _ = try Self.startCounterGuest(daemon)
        let script = """
        import libvirt, sys, threading, time
        libvirt.virEventRegisterDefaultImpl()
        def loop():
            while True: libvirt.virEventRunDefaultImpl()
        threading.Thread(target=loop, daemon=True).start()
        events = []
        c = libvirt.open(sys.argv[1])
        c.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                 lambda conn, dom, ev, detail, opaque: events.append("%s:%d:%d" % (dom.name(), ev, detail)), None)
        d = c.lookupByName("vm")
        d.suspend(); d.resume(); d.destroy()
        deadline = time.time() + 10
        while len(events) < 3 and time.time() < deadline: time.sleep(0.05)
        print(" ".join(events))
        """
        let r = try Command.python(script, [daemon.uri])
        #expect(r.status == 0, "\(r)")
        // suspended/paused, resumed/unpaused, stopped/destroyed.
        #expect(r.stdout == "vm:3:0 vm:4:0 vm:5:1\n", "\(r)")
    }
}
