import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_driver

/// QEMU 10.0's own live update: a guest whose RAM is a shared memfd moves
/// to a new QEMU by `cpr-transfer` (the old QEMU hands over the descriptors
/// of its RAM; nothing of RAM is copied), and falls back to the migration
/// stream wherever one end cannot.
@Suite(.serialized) struct CPRTransferTests {
    static func completed(_ f: MigrationFixture, _ dom: DomainRef) async throws -> [String: TypedParameter.Value] {
        let stats = try await f.conn.jobStats(dom, completed: true)
        #expect(stats.type == .completed)
        return Dictionary(stats.params.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
    }

    /// The files in the driver's RAM directory (a shared file's RAM lives there).
    static func qemuRAMFiles(_ f: MigrationFixture) -> [String] {
        (try? FileManager.default.subpathsOfDirectory(atPath: f.root.path + "/lib/qemu/ram")) ?? []
    }

    @Test func aMemfdGuestOn100MovesByCPRTransferTwiceWithoutCopyingRAM() async throws {
        let f = try await MigrationFixture.start("cpr-twice", shared: false, memfd: true, emulator: Emulators.qemu100)
        defer { f.close() }
        var dom = try f.dom
        let live = try DomainDef.parse(try f.conn.xmlDesc(dom))
        #expect(live.memoryBacking?.source == .memfd)
        let cmdline = try String(contentsOfFile: "/proc/\(try #require(try f.obj.qemu.instance?.pid))/cmdline", encoding: .utf8)
        #expect(cmdline.contains("aux-ram-share=on"), "the emulator can share its auxiliary RAM, so it does")
        for round in 1...2 {
            let before = dom
            dom = try await f.conn.migrate3(before, to: f.conn.driver.connect(), params: [], flags: [.live, .local])
            #expect(dom.uuid == before.uuid && dom.id != before.id, "round \(round)")
            let stats = try await Self.completed(f, dom)
            #expect(stats[QemuMigrationStatistics.modeParameter] == .string("cpr-transfer"), "round \(round)")
            #expect(stats["memory_normal_bytes"] == .ullong(0), "round \(round): no RAM page was sent")
            #expect(stats["memory_normal"] == .ullong(0), "round \(round)")
            #expect(f.counterAdvances(), "round \(round)")
            #expect(f.countersAreContinuous(), "round \(round)")
            #expect(try f.runsExactlyOnce(), "round \(round)")
            let log = try String(contentsOfFile: f.root.path + "/log/qemu/vm.log", encoding: .utf8)
            #expect(log.contains("starting up instance id \(try #require(dom.id)) (incoming migration, cpr-transfer)"))
        }
        #expect(Self.qemuRAMFiles(f).isEmpty, "memfd RAM has no file: \(Self.qemuRAMFiles(f))")
    }

    /// A vCPU plugged into the running guest: the new QEMU of a
    /// cpr-transfer plugs it too, once it has taken the descriptors and
    /// before the state comes in.
    @Test func aPluggedVcpuIsPluggedInTheCPRTransfersNewQemu() async throws {
        let f = try await MigrationFixture.start("cpr-vcpu", shared: false, memfd: true, emulator: Emulators.qemu100,
                                                 vcpu: "<vcpu current='1'>2</vcpu>")
        defer { f.close() }
        let before = try f.dom
        try await f.conn.setVcpus(before, count: 2, flags: .live)
        func cpus(_ dom: DomainRef) async throws -> String {
            try await f.conn.qemuMonitorCommand(dom, command: #"{"execute":"query-cpus-fast"}"#)
        }
        #expect(try await cpus(before).contains("/machine/peripheral/vcpu1"))
        let after = try await f.conn.migrate3(before, to: f.conn.driver.connect(), params: [], flags: [.live, .local])
        #expect(after.id != before.id)
        #expect(try await Self.completed(f, after)[QemuMigrationStatistics.modeParameter] == .string("cpr-transfer"))
        #expect(try await cpus(after).contains("/machine/peripheral/vcpu1"))
        let live = try DomainDef.parse(try f.conn.xmlDesc(after))
        #expect(live.individualVcpus && live.vcpuList.map(\.online) == [true, true] && live.vcpuList.map(\.order) == [1, 2])
        #expect(f.counterAdvances())
        #expect(f.countersAreContinuous())
        #expect(try f.runsExactlyOnce())
    }

    @Test func from72To100TheMigrationStreamIsUsedAndSaysSo() async throws {
        let f = try await MigrationFixture.start("cpr-72", shared: false, memfd: true)
        defer { f.close() }
        let before = try f.dom
        var dest = try DomainDef.parse(try f.conn.xmlDesc(before, flags: .migratable))
        dest.emulator = Emulators.qemu100
        // Asked for, it is refused with the reason, and nothing changes.
        let refused = await #expect(throws: VirError.self) {
            try await f.conn.migrate3(before, to: f.conn.driver.connect(),
                                      params: f.migrationParams(destXML: dest.format(), mode: .cprTransfer), flags: [.live, .local])
        }
        #expect(refused?.code == .configUnsupported)
        #expect(refused?.message.hasPrefix("unsupported configuration: cannot migrate domain 'vm' by cpr-transfer: the source QEMU") == true,
                "\(refused?.message ?? "")")
        #expect(try f.conn.lookup(name: "vm") == before)
        #expect(try f.runsExactlyOnce())

        let up = try await f.conn.migrate3(before, to: f.conn.driver.connect(), params: f.migrationParams(destXML: dest.format()),
                                           flags: [.live, .local])
        let stats = try await Self.completed(f, up)
        #expect(stats[QemuMigrationStatistics.modeParameter] == .string("normal"))
        if case .ullong(let bytes)? = stats["memory_normal_bytes"] {
            #expect(bytes > 0, "the stream copied the memfd's pages")
        } else {
            Issue.record("no memory_normal_bytes in \(stats)")
        }
        #expect(f.counterAdvances())
        #expect(f.countersAreContinuous())
        #expect(try f.runsExactlyOnce())

        // Now on 10.0 (started with aux-ram-share=on): the next move is a cpr-transfer,
        // unless the normal mode is asked for.
        let normal = try await f.conn.migrate3(up, to: f.conn.driver.connect(), params: f.migrationParams(mode: .normal),
                                               flags: [.live, .local])
        #expect(try await f.conn.completedMigrationMode(normal) == .string("normal"))
        let cpr = try await f.conn.migrate3(normal, to: f.conn.driver.connect(), params: [], flags: [.live, .local])
        #expect(try await f.conn.completedMigrationMode(cpr) == .string("cpr-transfer"))
        #expect(f.counterAdvances())
        #expect(f.countersAreContinuous())
        #expect(try f.runsExactlyOnce())
    }

    @Test func privateRAMIsNeverMovedByCPRTransfer() async throws {
        let f = try await MigrationFixture.start("cpr-priv", shared: false, emulator: Emulators.qemu100)
        defer { f.close() }
        let before = try f.dom
        let refused = await #expect(throws: VirError.self) {
            try await f.conn.migrate3(before, to: f.conn.driver.connect(), params: f.migrationParams(mode: .cprTransfer),
                                      flags: [.live, .local])
        }
        #expect(refused?.message.contains("guest RAM is not shared memory") == true, "\(refused?.message ?? "")")
        let after = try await f.conn.migrate3(before, to: f.conn.driver.connect(), params: [], flags: [.live, .local])
        #expect(try await f.conn.completedMigrationMode(after) == .string("normal"))
        #expect(f.countersAreContinuous())
        #expect(try f.runsExactlyOnce())
    }

    // MARK: failures at each step of the new order

    /// The incoming QEMU dies before Perform: it never received the
    /// descriptors. Perform fails, the source guest runs on (and its next
    /// migration is a cpr-transfer again).
    @Test func aDestinationThatDiesBeforeTheDescriptorsLeavesTheSourceRunning() async throws {
        let f = try await MigrationFixture.start("cpr-dfirst", shared: false, memfd: true, emulator: Emulators.qemu100)
        defer { f.close() }
        let source = try f.dom
        var phases = try MigrationFailureTests.Phases(f)
        try await phases.begin()
        try await phases.prepare()
        let incoming = try #require(try f.incoming?.qemu.instance)
        #expect(!incoming.isMonitorConnected, "Prepare cannot talk to a cpr-transfer destination")
        kill(incoming.pid, SIGKILL)
        #expect(await incoming.waitForExit(timeout: .seconds(10)))
        let perform = await #expect(throws: VirError.self) { try await phases.perform() }
        // Whichever comes first: the driver dropping the dead instance, its
        // exit seen by Perform, or the source finding no one on the cpr channel.
        let message = perform?.message ?? ""
        #expect(["has no incoming instance", "the incoming QEMU exited", "cpr.sock"].contains { message.contains($0) }, "\(message)")
        _ = try? await phases.finish(cancelled: true)
        try await phases.confirm(cancelled: true)
        try MigrationFailureTests.expectRunsOnce(f, onSource: source)
        let again = try await f.conn.migrate3(source, to: f.conn.driver.connect(), params: [], flags: [.live, .local])
        #expect(try await f.conn.completedMigrationMode(again) == .string("cpr-transfer"))
        try MigrationFailureTests.expectRunsOnce(f, onSource: nil)
    }

    /// The incoming QEMU took the descriptors and the state, then died
    /// before Finish: the source, stopped since the switch-over began,
    /// resumes with its RAM as it was (the counter goes on from where it
    /// stopped, without a gap or a restart).
    @Test func aDestinationThatDiesAfterTheDescriptorsLetsTheSourceResumeWithItsRAM() async throws {
        let f = try await MigrationFixture.start("cpr-dafter", shared: false, memfd: true, emulator: Emulators.qemu100)
        defer { f.close() }
        let source = try f.dom
        var phases = try MigrationFailureTests.Phases(f)
        try await phases.begin()
        try await phases.prepare()
        try await phases.perform()
        #expect(try f.conn.state(source).state == .paused, "the source stopped for the switch-over")
        let incoming = try #require(try f.incoming?.qemu.instance)
        #expect(incoming.isMonitorConnected, "Perform connected the destination's monitor once it existed")
        kill(incoming.pid, SIGKILL)
        #expect(await incoming.waitForExit(timeout: .seconds(10)))
        _ = await #expect(throws: VirError.self) { try await phases.finish(cancelled: false) }
        try await phases.confirm(cancelled: true)
        try MigrationFailureTests.expectRunsOnce(f, onSource: source)
    }

    /// A guest on a pty console: the new QEMU opens a pty of its own,
    /// whose path is read once its monitor exists (in Perform), and the
    /// guest's output comes out of it.
    @Test func aPtyConsoleGuestMovesByCPRTransferOntoANewPty() async throws {
        let root = TestRoot("cpr-pty")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let xml = CounterGuest.domainXML(name: "vm", disk: try CounterGuest.disk(in: root.path), serialLog: "",
                                         memfd: true, emulator: Emulators.qemu100, ptyConsole: true)
        let dom = try await conn.createXML(xml)
        let before = try #require(try DomainDef.parse(try conn.xmlDesc(dom)).serials.first?.sourcePath)
        let after = try await conn.migrate3(dom, to: conn.driver.connect(), params: [], flags: [.live, .local])
        let mode = try await conn.completedMigrationMode(after)
        #expect(mode == .string("cpr-transfer"))
        let live = try DomainDef.parse(try conn.xmlDesc(after))
        let pty = try #require(live.serials.first?.sourcePath)
        #expect(pty.hasPrefix("/dev/pts/") && pty != before, "a new pty: \(pty) (was \(before))")
        #expect(live.consoles.first?.sourcePath == pty, "the console follows its serial")
        // The guest counts on it.
        let fd = open(pty, O_RDONLY | O_NOCTTY | O_NONBLOCK)
        #expect(fd >= 0)
        defer { close(fd) }
        var text = ""
        let deadline = ContinuousClock.now + .seconds(30)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !text.contains("counter") && ContinuousClock.now < deadline {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { text += String(decoding: buffer[0..<n], as: UTF8.self) } else { usleep(20_000) }
        }
        #expect(text.contains("counter"), "the guest's output on the new pty: \(text.suffix(80))")
        try await conn.destroy(after)
    }
}
