import Foundation
import Synchronization
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_driver
import qemu_process

/// Events a test received, in order.
final class EventLog: Sendable {
    private let events = Mutex<[DomainEventDispatcher.Event]>([])
    func record(_ e: DomainEventDispatcher.Event) { events.withLock { $0.append(e) } }
    var all: [LifecycleEvent] { events.withLock { $0.compactMap(\.lifecycle) } }
}

/// The lifecycle of the counter guest through the driver's API, with real QEMU.
@Suite(.serialized) struct DriverLifecycleTests {
    @Test func defineStartSuspendResumeDestroyUndefine() async throws {
        let root = TestRoot("life")
        defer { #expect(root.cleanup() == []) }
        let disk = try CounterGuest.disk(in: root.path)
        let serial = root.path + "/serial.log"
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let events = EventLog()
        conn.registerLifecycleEvents { events.record($0) }

        let dom = try conn.defineXML(CounterGuest.domainXML(name: "counter", disk: disk, serialLog: serial), validate: true)
        #expect(dom.id == nil)
        #expect(FileManager.default.fileExists(atPath: root.path + "/etc/qemu/counter.xml"))
        #expect(try conn.state(dom) == .shutoff(.unknown))

        try await conn.create(dom)
        let running = try conn.lookup(name: "counter")
        #expect(running.id == 1)
        #expect(try conn.lookup(id: 1) == running)
        #expect(try conn.state(dom) == .running(.booted))
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: 5), "the guest runs and prints its counter")
        let live = try conn.xmlDesc(running)
        #expect(live.hasPrefix("<domain type='qemu' id='1'>"))
        #expect(try !conn.xmlDesc(running, flags: .inactive).contains("id='1'"))

        try await conn.suspend(running)
        #expect(try conn.state(dom) == .paused(.user))
        let frozen = try await conn.readGuestMemory32(running, at: CounterGuest.counterAddress)
        try await Task.sleep(for: .milliseconds(400))
        #expect(try await conn.readGuestMemory32(running, at: CounterGuest.counterAddress) == frozen, "a paused guest does not count")

        try await conn.resume(running)
        #expect(try conn.state(dom) == .running(.unpaused))
        #expect(try await Wait.until { try await conn.readGuestMemory32(running, at: CounterGuest.counterAddress) > frozen },
                "a resumed guest counts again")

        let info = try conn.info(running)
        #expect(info.state == .running && info.maxMemory == 16384 && info.vcpus == 1)

        let pid = try #require(try conn.pid(running))
        try await conn.destroy(running)
        #expect(try conn.state(dom) == .shutoff(.destroyed))
        #expect(kill(pid, 0) != 0, "QEMU is gone")
        #expect(root.files(under: "run/qemu").filter { $0.hasPrefix("domain-") }.isEmpty, "no instance directory left")
        let notRunning = await #expect(throws: VirError.self) { try await conn.destroy(dom) }
        #expect(notRunning?.message == "Requested operation is not valid: domain is not running")

        try await conn.undefine(dom)
        #expect(!FileManager.default.fileExists(atPath: root.path + "/etc/qemu/counter.xml"))
        let gone = #expect(throws: VirError.self) { try conn.lookup(name: "counter") }
        #expect(gone?.message == "Domain not found: no domain with matching name 'counter'")

        conn.driver.state.events.flush()
        #expect(events.all == [
            .defined(0), .started(.booted), .resumed(.unpaused), .suspended(.paused), .resumed(.unpaused),
            .stopped(.destroyed), .undefined(0),
        ])
    }

    /// `<currentMemory>` below `<memory>` is set as the balloon's target
    /// when the guest starts (QEMU's `balloon` command, which fails without
    /// a balloon device); without a virtio balloon the start is refused.
    @Test func currentMemoryIsTheBalloonsTarget() async throws {
        let root = TestRoot("balloon")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let disk = try CounterGuest.disk(in: root.path)
        for (name, balloon) in [("withballoon", "virtio"), ("without", "none")] {
            let xml = CounterGuest.domainXML(name: name, disk: disk, serialLog: root.path + "/\(name).log", memballoon: balloon)
                .replacingOccurrences(of: "<memory unit='MiB'>16</memory>", with: "<memory unit='MiB'>16</memory><currentMemory unit='MiB'>12</currentMemory>")
            let dom = try conn.defineXML(xml, validate: true)
            if balloon == "virtio" {
                try await conn.create(dom)
                #expect(try conn.info(dom).memory == 12 * 1024 && conn.info(dom).maxMemory == 16 * 1024)
                #expect(try conn.state(dom) == .running(.booted))
                try await conn.destroy(dom)
            } else {
                let error = await #expect(throws: VirError.self) { try await conn.create(dom) }
                #expect(error?.message == "unsupported configuration: <currentMemory> below <memory> needs a virtio <memballoon> to apply it")
                #expect(try conn.state(dom).state == .shutoff)
            }
            #expect(TestRoot.processes(mentioning: root.path + "/").isEmpty)
        }
    }

    /// Autostart domains start when the root is first opened after a boot
    /// of the host (played here by a mark from another boot), once: a
    /// domain destroyed afterwards stays off when the root is opened again.
    @Test func autostartDomainsStartOncePerBoot() async throws {
        let root = TestRoot("autost")
        defer { #expect(root.cleanup() == []) }
        let disk = try CounterGuest.disk(in: root.path)
        var conn = try await QemuDriver.connect(uri: root.uri)
        let auto = try conn.defineXML(CounterGuest.domainXML(name: "auto", disk: disk, serialLog: root.path + "/auto.log"))
        try conn.setAutostart(auto, true)
        let manual = try conn.defineXML(CounterGuest.domainXML(name: "manual", disk: try CounterGuest.disk(in: root.path, name: "m.img"),
                                                               serialLog: root.path + "/manual.log"))
        let marker = conn.driver.config.stateDir + "/autostarted"
        #expect(FileManager.default.fileExists(atPath: marker), "the first open of this boot left its mark")
        conn.driver.close()

        // Opened again in the same boot: nothing starts.
        conn = try await QemuDriver.connect(uri: root.uri)
        #expect(try !conn.isActive(auto))
        conn.driver.close()

        // As after a reboot: the mark names another boot.
        try "00000000-0000-0000-0000-000000000000\n".write(toFile: marker, atomically: true, encoding: .utf8)
        conn = try await QemuDriver.connect(uri: root.uri)
        #expect(try conn.isActive(auto), "the autostart domain runs")
        #expect(try !conn.isActive(manual), "the other one does not")
        #expect(CounterGuest.waitForCounter(inLog: root.path + "/auto.log", atLeast: 3))
        try await conn.destroy(auto)
        conn.driver.close()

        conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        #expect(try !conn.isActive(auto), "destroyed after the boot's autostart: it stays off")
    }

    @Test func guestCounterInTheSerialLogNeverRestarts() async throws {
        let root = TestRoot("serial")
        defer { #expect(root.cleanup() == []) }
        let serial = root.path + "/serial.log"
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let dom = try await conn.createXML(CounterGuest.domainXML(name: "c", disk: try CounterGuest.disk(in: root.path), serialLog: serial))
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: 10))
        let counters = CounterGuest.counters(inLog: serial)
        #expect(counters.first == 0)
        #expect(counters == Array(0..<counters.count), "consecutive, no gap, no restart")
        // A transient domain disappears when it stops.
        try await conn.destroy(dom)
        #expect(conn.listAllDomains().isEmpty)
    }

    @Test func undefineOfARunningDomainLeavesItTransient() async throws {
        let root = TestRoot("undef")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "u", disk: try CounterGuest.disk(in: root.path), serialLog: root.path + "/s.log"))
        try await conn.create(dom)
        try await conn.undefine(dom)
        #expect(try conn.isPersistent(dom) == false)
        #expect(try conn.isActive(dom))
        let again = await #expect(throws: VirError.self) { try await conn.undefine(dom) }
        #expect(again?.message == "Requested operation is not valid: cannot undefine transient domain")
        try await conn.destroy(dom)
        #expect(conn.listAllDomains().isEmpty)
    }
}

@Suite(.serialized) struct ProcessExitTests {
    /// QEMU dying on its own (here: killed behind the driver's back) is
    /// noticed at once: the domain is shut off (crashed), the stopped(failed)
    /// event goes out, and nothing is left.
    @Test func qemuKilledBehindTheDriversBackIsNoticedPromptly() async throws {
        let root = TestRoot("crash")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let events = EventLog()
        conn.registerLifecycleEvents { events.record($0) }
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "c", disk: try CounterGuest.disk(in: root.path),
                                                            serialLog: root.path + "/s.log", sharedMemory: true))
        try await conn.create(dom)
        let pid = try #require(try conn.pid(dom))
        let uuid = try conn.obj(dom).uuid
        kill(pid, SIGKILL)
        #expect(try await Wait.until { try conn.state(dom).state == .shutoff }, "noticed without any call to the driver")
        #expect(try conn.state(dom) == .shutoff(.crashed))
        #expect(try conn.lookup(name: "c").id == nil)
        #expect(root.files(under: "run/qemu").filter { $0.hasPrefix("domain-") }.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: conn.driver.config.ramFile(uuid: uuid.description)))
        conn.driver.state.events.flush()
        #expect(events.all.last == .stopped(.failed))
        let log = try String(contentsOfFile: root.path + "/log/qemu/c.log", encoding: .utf8)
        #expect(log.contains("shutting down, reason=crashed, instance id 1"))
    }

    /// Status writes that race the teardown of a QEMU that died (a failing
    /// migration writes the source's status while the driver handles the
    /// exit) never bring the instance directory back: once the domain reads
    /// as shut off, its directory is gone, and stays gone.
    @Test func statusWritesRacingATeardownLeaveNoDirectory() async throws {
        let root = TestRoot("race")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let state = conn.driver.state
        for round in 0..<5 {
            let dom = try conn.defineXML(CounterGuest.domainXML(name: "r\(round)", disk: try CounterGuest.disk(in: root.path, name: "r\(round).img"),
                                                                serialLog: root.path + "/r\(round).log"))
            try await conn.create(dom)
            let obj = try conn.obj(dom)
            let pid = try #require(try conn.pid(dom))
            let writing = Atomic<Bool>(true)
            let writers = (0..<2).map { _ in
                Thread { while writing.load(ordering: .relaxed) { state.saveStatus(obj) } }
            }
            writers.forEach { $0.start() }
            kill(pid, SIGKILL)
            #expect(try await Wait.until { try conn.state(dom).state == .shutoff })
            #expect(Self.instanceDirs(root).isEmpty, "round \(round): shut off, and no instance directory")
            try await Task.sleep(for: .milliseconds(50))
            writing.store(false, ordering: .relaxed)
            #expect(Self.instanceDirs(root).isEmpty, "round \(round): no late write brought it back")
        }
    }

    static func instanceDirs(_ root: TestRoot) -> [String] {
        root.files(under: "run/qemu").filter { $0.hasPrefix("domain-") && !$0.contains("/") }
    }
}
