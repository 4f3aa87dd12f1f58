import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_driver
import qemu_process
import virutil

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

    /// A guest with a VNC display (autoport) and a guest-agent channel
    /// (no path): the two instances of one domain listen on their own
    /// ports and their own sockets, each in its own instance directory;
    /// after a local migration the live XML (what `domdisplay` reads) names
    /// the new instance's port, and the old one's is free again.
    @Test func displayPortsAndAgentSocketsArePerInstance() async throws {
        let root = TestRoot("sidevnc")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let state = conn.driver.state
        let devices = """
            <graphics type='vnc' autoport='yes'/>
            <channel type='unix'><source mode='bind'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
            """
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "vnc", disk: try CounterGuest.disk(in: root.path),
                                                            serialLog: root.path + "/serial.log", sharedMemory: true,
                                                            extraDevices: devices))
        try await conn.create(dom)
        let source = try conn.obj(dom)
        let sourceInstance = try #require(source.qemu.instance)
        let incoming = try state.domains.addRemote(source.persistentDef)
        let destInstance = try await QemuDomainProcess.startIncoming(state, incoming, def: source.persistentDef)

        let ports = [source.def, incoming.def].map { $0.graphics.first?.livePort }
        let sockets = [source.def, incoming.def].map { $0.channels.first?.sourcePath }
        #expect(ports[0] != nil && ports[1] != nil && ports[0] != ports[1], "two VNC ports: \(ports)")
        #expect(sockets[0] != nil && sockets[1] != nil && sockets[0] != sockets[1], "two agent sockets: \(sockets)")
        #expect(sockets[0]?.hasPrefix(sourceInstance.paths.dir + "/") == true)
        #expect(sockets[1]?.hasPrefix(destInstance.paths.dir + "/") == true)
        for (port, pid) in zip(ports, [sourceInstance.pid, destInstance.pid]) {
            #expect(Self.listens(port ?? 0), "QEMU \(pid) listens on its VNC port")
        }
        for path in sockets { #expect(Self.isSocket(path ?? "")) }
        // The live XML names the address as libvirt backfills it.
        let live = try conn.xmlDesc(dom)
        #expect(live.contains("<graphics type='vnc' port='\(ports[0] ?? 0)' autoport='yes' listen='127.0.0.1'>"), "\(live)")
        #expect(live.contains("<listen type='address' address='127.0.0.1'/>"))
        #expect(try conn.xmlDesc(dom, flags: .inactive).contains("<graphics type='vnc' port='-1' autoport='yes'/>"))
        await QemuDomainProcess.stop(state, incoming, reason: .failed, event: nil)
        #expect(try await Wait.until { !Self.listens(ports[1] ?? 0) }, "the stopped instance's port is closed")
        #expect(Self.listens(ports[0] ?? 0), "the running one still listens")

        // A real local migration: the display follows the new instance.
        let moved = try await conn.migrate3(dom, to: conn.driver.connect(), params: [], flags: [.live, .local])
        let after = try conn.obj(moved).def
        let newPort = try #require(after.graphics.first?.livePort)
        #expect(newPort != ports[0])
        #expect(try conn.xmlDesc(moved).contains("<graphics type='vnc' port='\(newPort)' autoport='yes' listen='127.0.0.1'>"))
        #expect(Self.listens(newPort))
        #expect(try await Wait.until { !Self.listens(ports[0] ?? 0) }, "the source's port is closed")
        let newSocket = try #require(after.channels.first?.sourcePath)
        #expect(newSocket != sockets[0] && Self.isSocket(newSocket) && !Self.isSocket(sockets[0] ?? ""))
        try await conn.destroy(moved)
        #expect(!Self.listens(newPort))
    }

    /// A display on a fixed port cannot be had by two instances at once:
    /// the local migration is refused before a second QEMU starts, and
    /// the guest goes on where it was.
    @Test func aFixedDisplayPortRefusesTheLocalMigration() async throws {
        let root = TestRoot("sidefix")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let port = try VirPortAllocator.display.acquire(address: "127.0.0.1")
        VirPortAllocator.display.release(port)
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "fixed", disk: try CounterGuest.disk(in: root.path),
                                                            serialLog: root.path + "/serial.log", sharedMemory: true,
                                                            extraDevices: "<graphics type='vnc' port='\(port)' autoport='no'/>"))
        try await conn.create(dom)
        let pid = try #require(try conn.pid(dom))
        #expect(Self.listens(port))
        let error = await #expect(throws: VirError.self) {
            try await conn.migrate3(dom, to: conn.driver.connect(), params: [], flags: [.live, .local])
        }
        #expect(error?.code == .operationUnsupported)
        #expect(error?.message == "Operation not supported: a local migration needs a display port per instance: vnc graphics listens on fixed port \(port); use autoport='yes'")
        #expect(TestRoot.processes(mentioning: root.path + "/") == [pid], "no second QEMU was started")
        #expect(try conn.state(dom) == .running(.booted))
        #expect(try conn.pid(dom) == pid && Self.listens(port))
        try await conn.destroy(dom)
    }

    /// Something accepts TCP connections on 127.0.0.1:`port`.
    static func listens(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    static func isSocket(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFSOCK
    }
}
