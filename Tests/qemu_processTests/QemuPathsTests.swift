import Foundation
import Synchronization
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_process

@Suite struct QemuPathsTests {
    @Test func embeddedLayout() throws {
        let c = try QemuDriverConfig(uri: "qemu:///embed?root=/srv/vms/")
        #expect(c.uri == "qemu:///embed?root=/srv/vms")
        #expect(c.configDir == "/srv/vms/etc/qemu")
        #expect(c.autostartDir == "/srv/vms/etc/qemu/autostart")
        #expect(c.stateDir == "/srv/vms/run/qemu")
        #expect(c.logDir == "/srv/vms/log/qemu")
        #expect(c.libDir == "/srv/vms/lib/qemu")
        #expect(c.ramFile(uuid: "u") == "/srv/vms/lib/qemu/ram/u/ram")
        #expect(c.logFile(name: "vm") == "/srv/vms/log/qemu/vm.log")
        #expect(c.configFile(name: "vm") == "/srv/vms/etc/qemu/vm.xml")
    }

    @Test func systemLayoutNeverTouchesARealLibvirtd() throws {
        let c = try QemuDriverConfig(uri: "qemu:///system")
        #expect(c.configDir == "/etc/local-migration/qemu")
        #expect(c.stateDir == "/run/local-migration/qemu")
        #expect(c.logDir == "/var/log/local-migration/qemu")
        #expect(c.libDir == "/var/lib/local-migration/qemu")
    }

    @Test(arguments: [
        ("qemu:///embed?root=relative", "unsupported configuration: root path must be absolute"),
        ("qemu:///embed", "invalid argument: Missing 'root' parameter in URI"),
        ("qemu:///nonsense", "invalid argument: unexpected QEMU URI path '/nonsense', try qemu:///system"),
        ("xen:///system", "no connection driver available for xen:///system"),
    ])
    func badURIs(_ uri: String, _ message: String) {
        let error = #expect(throws: VirError.self) { try QemuDriverConfig(uri: uri) }
        #expect(error?.message == message)
    }

    @Test func instancePaths() {
        let p = QemuInstancePaths(stateDir: "/r/run/qemu", id: 12, name: "a-very-long-domain-name-indeed")
        #expect(p.dir == "/r/run/qemu/domain-12-a-very-long-domain-n")
        #expect(p.monitor == p.dir + "/monitor.sock")
        #expect(p.pidFile == p.dir + "/qemu.pid")
        #expect(p.statusFile == p.dir + "/status.xml")
        #expect(p.migrateSocket == p.dir + "/migrate.sock")
    }

    @Test func tooLongSocketPathIsAnErrorNamingIt() {
        let root = "/tmp/" + String(repeating: "x", count: 80)
        let p = QemuInstancePaths(stateDir: root + "/run/qemu", id: 1, name: "vm")
        let error = #expect(throws: VirError.self) { try p.checkSocketPaths() }
        #expect(error?.message.contains("UNIX socket path '\(p.monitor)' too long") == true)
        #expect(error?.message.contains("the limit is 107") == true)
        let ok = QemuInstancePaths(stateDir: "/tmp/r/run/qemu", id: 1, name: "vm")
        #expect(throws: Never.self) { try ok.checkSocketPaths() }
    }

    @Test func idsOnlyGrowAndSurviveRestarts() throws {
        let root = TestRoot("ids")
        defer { #expect(root.cleanup() == []) }
        let a = QemuDomainIDAllocator(stateDir: root.path)
        #expect(try a.next() == 1)
        #expect(try a.next() == 2)
        try a.observe(10)
        #expect(try a.next() == 11)
        try a.observe(3)
        // A new allocator on the same directory (a driver restart).
        let b = QemuDomainIDAllocator(stateDir: root.path)
        #expect(b.last == 11)
        #expect(try b.next() == 12)
    }

    @Test func idsAreUniqueAcrossConcurrentAllocators() async throws {
        let root = TestRoot("ids2")
        defer { #expect(root.cleanup() == []) }
        let ids = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let a = QemuDomainIDAllocator(stateDir: root.path)
                    return try (0..<50).map { _ in try a.next() }
                }
            }
            var all: [Int] = []
            for try await chunk in group { all += chunk }
            return all
        }
        #expect(Set(ids).count == 200)
        #expect(ids.max() == 200)
    }

    @Test func statusFileRoundTrips() throws {
        let root = TestRoot("status")
        defer { #expect(root.cleanup() == []) }
        var def = DomainDef(name: "vm", virtType: "qemu", memoryKiB: 16384)
        def.id = 4
        let status = QemuStatusFile(state: .paused(.migration), pid: 4242, startTime: 99, emulator: "/usr/bin/qemu-system-x86_64",
                                    monitorPath: "/r/m.sock", persistent: true, def: def,
                                    extra: [XMLElement("migration", attributes: [XMLAttribute("role", "incoming")])],
                                    taint: [.customMonitor, .customArgv])
        let path = root.path + "/status.xml"
        try status.write(to: path)
        let again = try QemuStatusFile.read(path)
        #expect(again == status)
        #expect(again.def.id == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["status.xml"], "no temporary file left")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("<domstatus state='paused' reason='2' pid='4242'>\n  <taint flag='custom-argv'/>\n  <taint flag='custom-monitor'/>\n"))
        // A mark this driver does not know is dropped; the instance is still read.
        try text.replacingOccurrences(of: "custom-argv", with: "from-the-future").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try QemuStatusFile.read(path).taint == [.customMonitor])
    }
}
