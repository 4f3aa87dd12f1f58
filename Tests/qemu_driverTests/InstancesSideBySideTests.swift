import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_driver
import qemu_process

/// Patch 5: two instances of the same definition (same name and UUID) run at
/// once, as the two ends of a local migration do, without stepping on each
/// other's files.
@Suite(.serialized) struct InstancesSideBySideTests {
    @Test func twoInstancesOfOneDomain() async throws {
        let root = TestRoot("side")
        defer { #expect(root.cleanup() == []) }
        let serial = root.path + "/serial.log"
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let state = conn.driver.state

        let dom = try conn.defineXML(CounterGuest.domainXML(name: "twin", disk: try CounterGuest.disk(in: root.path),
                                                            serialLog: serial, sharedMemory: true))
        try await conn.create(dom)
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: 5))
        let source = try conn.obj(dom)
        let sourceInstance = try #require(source.qemu.instance)

        // The incoming instance, as Prepare makes it: same definition, the
        // remote tables, its own id, -incoming defer.
        let incoming = try state.domains.addRemote(source.persistentDef)
        let destInstance = try await QemuDomainProcess.startIncoming(state, incoming, def: source.persistentDef)
        let before = try Data(contentsOf: URL(fileURLWithPath: serial))

        #expect(destInstance.id != sourceInstance.id)
        #expect(incoming.uuid == source.uuid && incoming.name == source.name)
        // Both QMP sockets answer, each for its own process.
        let s = try await sourceInstance.monitor().queryStatus()
        let d = try await destInstance.monitor().queryStatus()
        #expect(s.running && s.status == "running")
        #expect(!d.running && d.status == "inmigrate")
        #expect(sourceInstance.paths.monitor != destInstance.paths.monitor)
        // Distinct pid files naming distinct processes.
        let pids = try [sourceInstance.paths.pidFile, destInstance.paths.pidFile].map {
            try String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(pids == ["\(sourceInstance.pid)", "\(destInstance.pid)"])
        // Distinct status files, each with its own id.
        let statuses = try [sourceInstance.paths.statusFile, destInstance.paths.statusFile].map(QemuStatusFile.read)
        #expect(statuses.map(\.def.id) == [sourceInstance.id, destInstance.id])
        #expect(statuses.map(\.state) == [.running(.booted), .paused(.migration)])
        #expect(statuses.map(\.def.uuid) == [source.uuid, source.uuid])
        // Both map the one RAM file of the domain.
        let ram = conn.driver.config.ramFile(uuid: source.uuid.description)
        #expect(Self.maps(sourceInstance.pid, ram) && Self.maps(destInstance.pid, ram))

        // The shared serial log was not truncated by the second QEMU and
        // keeps growing with the running guest's lines.
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: (CounterGuest.counters(inLog: serial).last ?? 0) + 3))
        let after = try Data(contentsOf: URL(fileURLWithPath: serial))
        #expect(after.count > before.count)
        #expect(after.prefix(before.count) == before, "nothing before the second start was lost")
        let counters = CounterGuest.counters(inLog: serial)
        #expect(counters == Array(0..<counters.count))

        // Destroying the incoming one leaves the other untouched.
        let destDir = destInstance.paths.dir
        await QemuDomainProcess.stop(state, incoming, reason: .failed, event: nil)
        #expect(kill(destInstance.pid, 0) != 0)
        #expect(!FileManager.default.fileExists(atPath: destDir))
        #expect(state.domains.findRemote(byUUID: source.uuid) == nil)
        #expect(FileManager.default.fileExists(atPath: ram), "the running source still uses the RAM file")
        #expect(try await sourceInstance.monitor().queryStatus().running)
        let n = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: n + 3))
        #expect(try conn.state(dom) == .running(.booted))

        try await conn.destroy(dom)
        #expect(!FileManager.default.fileExists(atPath: ram), "the RAM file goes when the domain stops for good")
        #expect(root.files(under: "run/qemu").filter { $0.hasPrefix("domain-") }.isEmpty)
    }

    /// Whether a process maps a file (/proc/PID/maps).
    static func maps(_ pid: Int32, _ file: String) -> Bool {
        ((try? String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)) ?? "").contains(file)
    }
}
