import Foundation
import Glibc
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_driver
import qemu_monitor
import qemu_process
import virutil

/// A driver that opens a root with running guests connects no monitor
/// (`ReconnectMode.onDemand`, the default): liveness comes from /proc, the
/// state from the status files, and a command connects the monitors of the
/// instances it needs, only those. What reconnecting guaranteed still holds:
/// a QEMU that died is noticed and cleaned up, whether it died while no
/// driver ran or while this one runs without its monitor.
@Suite(.serialized) struct OnDemandReconnectTests {
    static let guests = 5

    /// `guests` small paused guests (TCG, 16 MiB, never booted) started by
    /// a first driver, which then lets go of the root as a virsh command
    /// ends. Names s0...s4.
    static func startGuests(_ root: TestRoot) async throws -> [String: Int32] {
        let first = try await QemuDriver.connect(uri: root.uri)
        defer { first.driver.close() }
        var pids: [String: Int32] = [:]
        for i in 0..<guests {
            let name = "s\(i)"
            let dom = try first.defineXML(CounterGuest.domainXML(name: name, disk: try CounterGuest.disk(in: root.path, name: "\(name).img"),
                                                                 serialLog: root.path + "/\(name).log"))
            let started = try await first.create(dom, paused: true)
            let pid = try #require(try first.pid(started))
            pids[name] = pid
        }
        return pids
    }

    static func instanceDir(_ conn: QemuConnection, _ name: String) throws -> String? {
        try conn.obj(conn.lookup(name: name)).qemu.instance?.paths.dir
    }

    static func connectedMonitors(_ conn: QemuConnection) -> [String] {
        conn.driver.state.domains.list().filter { $0.qemu.instance?.isMonitorConnected == true }.map(\.name).sorted()
    }

    @Test func aGuestKilledWhileNoDriverRanIsShutOffByTheNextList() async throws {
        let root = TestRoot("odkill")
        defer { #expect(root.cleanup() == []) }
        let pids = try await Self.startGuests(root)
        let doomedDir = root.path + "/run/qemu/domain-3-s2"
        #expect(FileManager.default.fileExists(atPath: doomedDir))

        // While no driver runs, one QEMU is killed.
        let doomed = try #require(pids["s2"])
        kill(doomed, SIGKILL)
        #expect(await Wait.until { !ProcStat.isRunning(doomed) })

        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        #expect(conn.listAllDomains(.active).map(\.name).sorted() == ["s0", "s1", "s3", "s4"], "s2 is not listed as running")
        let gone = try conn.lookup(name: "s2")
        #expect(gone.id == nil)
        #expect(try conn.state(gone) == .shutoff(.crashed))
        #expect(!FileManager.default.fileExists(atPath: doomedDir), "its instance directory went with it")
        for name in ["s0", "s1", "s3", "s4"] {
            let ref = try conn.lookup(name: name)
            #expect(try conn.state(ref) == .paused(.user), "\(name): the status file's state")
            #expect(try conn.pid(ref) == pids[name])
        }
        // Listing and reading states needed no monitor.
        #expect(conn.driver.state.monitorReconnects == 0)
        #expect(Self.connectedMonitors(conn) == [])
        let log = try String(contentsOfFile: root.path + "/log/qemu/s2.log", encoding: .utf8)
        #expect(log.contains("shutting down, reason=crashed (found gone), instance id 3"))

        for d in conn.listAllDomains(.active) { try await conn.destroy(d) }
        #expect(ClientGoneTests.instanceDirs(root) == [])
    }

    @Test func aCommandOnOneDomainConnectsOnlyItsMonitor() async throws {
        let root = TestRoot("odone")
        defer { #expect(root.cleanup() == []) }
        _ = try await Self.startGuests(root)

        let conn = try await QemuDriver.connect(uri: root.uri)
        // What `dominfo s0` asks: no monitor at all.
        let s0 = try conn.lookup(name: "s0")
        _ = try conn.info(s0)
        _ = try conn.state(s0)
        _ = try conn.osType(s0)
        _ = try conn.xmlDesc(s0)
        #expect(conn.driver.state.monitorReconnects == 0)

        // `resume s1`: s1's monitor, nobody else's.
        let s1 = try conn.lookup(name: "s1")
        try await conn.resume(s1)
        #expect(try conn.state(s1) == .running(.unpaused))
        #expect(conn.driver.state.monitorReconnects == 1)
        #expect(Self.connectedMonitors(conn) == ["s1"])
        // A second command on it reuses the connection.
        try await conn.suspend(s1)
        #expect(conn.driver.state.monitorReconnects == 1)
        conn.driver.close()

        // The next driver reads what those commands wrote.
        let next = try await QemuDriver.connect(uri: root.uri)
        defer { next.driver.close() }
        #expect(try next.state(next.lookup(name: "s1")) == .paused(.user))
        #expect(next.driver.state.monitorReconnects == 0)
        for d in next.listAllDomains(.active) { try await next.destroy(d) }
        #expect(next.driver.state.monitorReconnects == 0, "destroy needs no monitor either (SIGTERM)")
        #expect(ClientGoneTests.instanceDirs(root) == [])
        #expect(TestRoot.processes(mentioning: root.path) == [])
    }

    /// A QEMU found again whose monitor no command needed yet dies while
    /// the driver runs: its pidfd tells, the domain is shut off (crashed)
    /// and its directory removed, with no call to the driver.
    @Test func aGuestKilledWhileTheDriverRunsWithoutItsMonitorIsNoticed() async throws {
        let root = TestRoot("odwatch")
        defer { #expect(root.cleanup() == []) }
        let pids = try await Self.startGuests(root)

        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let s3 = try conn.lookup(name: "s3")
        let dir = try #require(try Self.instanceDir(conn, "s3"))
        #expect(try conn.obj(s3).qemu.instance?.isExitWatched == true)
        kill(try #require(pids["s3"]), SIGKILL)
        #expect(try await Wait.until { try conn.state(s3).state == .shutoff }, "noticed without any call to the driver")
        #expect(try conn.state(s3) == .shutoff(.crashed))
        #expect(!FileManager.default.fileExists(atPath: dir))
        #expect(conn.listAllDomains(.active).map(\.name).sorted() == ["s0", "s1", "s2", "s4"])
        #expect(conn.driver.state.monitorReconnects == 0)
        for d in conn.listAllDomains(.active) { try await conn.destroy(d) }
    }

    /// What QEMU did while no driver watched it (here a `stop` over its
    /// monitor by someone else) is caught up with when a command first
    /// connects the monitor, before that command uses it.
    @Test func theFirstMonitorConnectionCatchesUpWithQEMU() async throws {
        let root = TestRoot("odcatch")
        defer { #expect(root.cleanup() == []) }
        let first = try await QemuDriver.connect(uri: root.uri)
        let dom = try first.defineXML(CounterGuest.domainXML(name: "c", disk: try CounterGuest.disk(in: root.path),
                                                             serialLog: root.path + "/c.log"))
        try await first.create(dom)
        let monitorPath = try #require(try first.obj(dom).qemu.instance?.paths.monitor)
        first.driver.close()

        let qmp = try await QemuMonitor.connect(path: monitorPath)
        _ = try await qmp.execute("stop")
        qmp.close()

        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let ref = try conn.lookup(name: "c")
        #expect(try conn.state(ref) == .running(.booted), "the status file's state, until a command talks to QEMU")
        _ = try await conn.readGuestMemory32(ref, at: CounterGuest.counterAddress)
        #expect(try conn.state(ref).state == .paused)
        let statusFile = try #require(try conn.obj(ref).qemu.instance?.paths.statusFile)
        #expect(try QemuStatusFile.read(statusFile).state.state == .paused, "saved")
        try await conn.resume(ref)
        #expect(try conn.state(ref) == .running(.unpaused))
        try await conn.destroy(ref)
    }

    /// A daemon's driver (`.eager`) connects every monitor at once, so that
    /// QEMU's events reach it from the start.
    @Test func anEagerDriverConnectsEveryMonitor() async throws {
        let root = TestRoot("odeager")
        defer { #expect(root.cleanup() == []) }
        _ = try await Self.startGuests(root)
        let driver = try await QemuDriver.open(uri: root.uri, reconnect: .eager)
        defer { driver.close() }
        let conn = driver.connect()
        #expect(Self.connectedMonitors(conn) == (0..<Self.guests).map { "s\($0)" })
        #expect(driver.state.monitorReconnects == Self.guests)
        for d in conn.listAllDomains(.active) { try await conn.destroy(d) }
    }

    /// Status files that say the driver placed every device, as this
    /// driver writes them: reconnecting reads each one only up to its live
    /// definition's name and UUID; a definition is parsed when a command
    /// reads it, and only that one. The live definition stays the live one
    /// (here it differs from the persistent one: the domain was redefined
    /// while it ran).
    @Test func aLiveDefinitionIsParsedOnlyWhenACommandReadsIt() async throws {
        let root = TestRoot("oddefer")
        defer { #expect(root.cleanup() == []) }
        _ = try await Self.startGuests(root)
        do {
            let again = try await QemuDriver.connect(uri: root.uri)
            defer { again.driver.close() }
            let xml = try again.xmlDesc(again.lookup(name: "s1"), flags: .inactive)
            _ = try again.defineXML(xml.replacingOccurrences(of: "<memory unit='KiB'>16384</memory>", with: "<memory unit='KiB'>32768</memory>"))
        }
        for status in try FileManager.default.contentsOfDirectory(atPath: root.path + "/run/qemu") where status.hasPrefix("domain-") {
            #expect(try String(contentsOfFile: root.path + "/run/qemu/\(status)/status.xml", encoding: .utf8)
                .contains("addresses='assigned'"), "\(status): placed by the driver")
        }

        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        func deferred() -> [String] {
            conn.driver.state.domains.list().filter(\.isDefinitionDeferred).map(\.name).sorted()
        }
        #expect(deferred() == (0..<Self.guests).map { "s\($0)" }, "no live definition parsed to open the root")
        #expect(conn.listAllDomains(.active).map(\.name).sorted() == (0..<Self.guests).map { "s\($0)" })
        #expect(try await conn.allDomainStats(stats: .state, flags: 0).count == Self.guests)
        #expect(deferred().count == Self.guests, "nor to list the domains and their states")

        let s1 = try conn.lookup(name: "s1")
        #expect(try conn.info(s1).maxMemory == 16384, "the live definition, not the persistent one")
        #expect(try conn.xmlDesc(s1).contains("<memory unit='KiB'>16384</memory>"))
        #expect(try conn.xmlDesc(s1, flags: .inactive).contains("<memory unit='KiB'>32768</memory>"))
        #expect(deferred() == ["s0", "s2", "s3", "s4"], "only s1's was parsed")
        #expect(conn.driver.state.monitorReconnects == 0)
        for d in conn.listAllDomains(.active) { try await conn.destroy(d) }
        #expect(ClientGoneTests.instanceDirs(root) == [])
    }

    /// A status file of an older driver (no word on who placed the devices)
    /// is read whole when the root opens, as before; one whose live
    /// definition cannot be parsed past its name and UUID still lets the
    /// domain be listed and used, with its persistent definition standing
    /// for the live one.
    @Test func olderAndDamagedStatusFilesStillReconnect() async throws {
        let root = TestRoot("odold")
        defer { #expect(root.cleanup() == []) }
        let pids = try await Self.startGuests(root)
        let dirs = try FileManager.default.contentsOfDirectory(atPath: root.path + "/run/qemu").filter { $0.hasPrefix("domain-") }
        func rewrite(_ name: String, _ change: (String) -> String) throws {
            let dir = try #require(dirs.first { $0.hasSuffix("-\(name)") })
            let path = root.path + "/run/qemu/\(dir)/status.xml"
            try change(try String(contentsOfFile: path, encoding: .utf8)).write(toFile: path, atomically: true, encoding: .utf8)
        }
        try rewrite("s0") { $0.replacingOccurrences(of: " addresses='assigned'", with: "") }
        try rewrite("s3") { $0.replacingOccurrences(of: "<vcpu placement='static'>1</vcpu>", with: "<vcpu placement='static'>one</vcpu>") }

        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let objs = Dictionary(uniqueKeysWithValues: conn.driver.state.domains.list().map { ($0.name, $0) })
        #expect(objs["s0"]?.isDefinitionDeferred == false, "an older status file is read whole")
        #expect(objs["s3"]?.isDefinitionDeferred == true)
        #expect(conn.listAllDomains(.active).map(\.name).sorted() == (0..<Self.guests).map { "s\($0)" })
        let s3 = try conn.lookup(name: "s3")
        #expect(try conn.info(s3).vcpus == 1, "the persistent definition stands for the damaged live one")
        #expect(try conn.pid(s3) == pids["s3"])
        for d in conn.listAllDomains(.active) { try await conn.destroy(d) }
        #expect(ClientGoneTests.instanceDirs(root) == [])
    }
    /// The status index (`QemuStatusIndex`) that spares a driver reading
    /// every running guest's status file follows the files: the second
    /// driver writes one entry per running guest; a file changed behind
    /// the index is read from the file; a driver's status write removes
    /// the index and the next driver writes it again; a guest gone drops out.
    @Test func theStatusIndexFollowsTheStatusFiles() async throws {
        let root = TestRoot("odindex")
        defer { #expect(root.cleanup() == []) }
        let pids = try await Self.startGuests(root)
        let index = root.path + "/run/qemu/status.index"
        func entries() -> [String] {
            let text = (try? String(contentsOfFile: index, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").dropFirst().map { String($0.split(separator: "\t").prefix(1).joined()) }.sorted()
        }
        func dir(_ name: String) throws -> String {
            try #require(try FileManager.default.contentsOfDirectory(atPath: root.path + "/run/qemu").first { $0.hasSuffix("-\(name)") })
        }
        #expect(!FileManager.default.fileExists(atPath: index), "the first driver found no instance to index")

        var conn = try await QemuDriver.connect(uri: root.uri)
        conn.driver.close()
        #expect(try entries() == (0..<Self.guests).map { try dir("s\($0)") }.sorted())

        // s1's status file rewritten behind the index (an older build's
        // driver would not remove it): the next driver reads the file.
        let s1Status = root.path + "/run/qemu/\(try dir("s1"))/status.xml"
        let text = try String(contentsOfFile: s1Status, encoding: .utf8)
        #expect(text.contains("<domstatus state='paused' reason='1'"))
        try text.replacingOccurrences(of: "<domstatus state='paused' reason='1'", with: "<domstatus state='paused' reason='5'")
            .write(toFile: s1Status, atomically: true, encoding: .utf8)
        conn = try await QemuDriver.connect(uri: root.uri)
        #expect(try conn.state(conn.lookup(name: "s1")) == .paused(.ioError), "read from the file, not the index")
        // A status write removes the index at once.
        try await conn.resume(conn.lookup(name: "s1"))
        #expect(!FileManager.default.fileExists(atPath: index))
        conn.driver.close()
        conn = try await QemuDriver.connect(uri: root.uri)
        #expect(entries().count == Self.guests)
        #expect(try conn.state(conn.lookup(name: "s1")) == .running(.unpaused))
        conn.driver.close()
        // Read from the index, the same answers.
        conn = try await QemuDriver.connect(uri: root.uri)
        #expect(try conn.state(conn.lookup(name: "s1")) == .running(.unpaused))
        #expect(try conn.state(conn.lookup(name: "s0")) == .paused(.user))
        #expect(conn.driver.state.monitorReconnects == 0)
        conn.driver.close()

        // s2 killed while no driver runs: the next driver drops it.
        let s2Dir = try dir("s2")
        kill(try #require(pids["s2"]), SIGKILL)
        #expect(await Wait.until { !ProcStat.isRunning(pids["s2"] ?? 0) })
        conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        #expect(!entries().contains(s2Dir))
        #expect(entries().count == Self.guests - 1)
        #expect(try conn.state(conn.lookup(name: "s2")).state == .shutoff)
        for d in conn.listAllDomains(.active) { try await conn.destroy(d) }
        #expect(ClientGoneTests.instanceDirs(root) == [])
    }
}

