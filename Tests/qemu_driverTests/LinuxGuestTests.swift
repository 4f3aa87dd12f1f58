import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_driver

/// A real Linux guest (Debian's kernel, a busybox initramfs) with a virtio
/// disk and NIC, a USB tablet, VNC, a virtio-serial channel, an RNG and a
/// balloon, booted by the driver, migrated locally from QEMU 7.2 into
/// another 7.2, then into 10.0: the counter it keeps on its console and on
/// its disk goes on, without a gap or a restart, and the disk holds every
/// value it printed.
@Suite(.serialized) struct LinuxGuestTests {
    @Test func aLinuxGuestKeepsCountingAcrossLocalMigrationsAndTheUpgrade() async throws {
        let root = TestRoot("linux")
        defer { #expect(root.cleanup() == []) }
        let serial = root.path + "/serial.log"
        let disk = try LinuxGuest.disk(in: root.path)
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let dom = try conn.defineXML(try LinuxGuest.domainXML(name: "linux", disk: disk, serialLog: serial), validate: true)
        try await conn.create(dom)
        #expect(LinuxGuest.waitForCounter(inLog: serial, atLeast: 3), "the kernel boots and the guest counts: \(LinuxGuest.lines(inLog: serial))")
        // What the guest's kernel found.
        let found = Set(LinuxGuest.lines(inLog: serial).filter { !$0.hasPrefix("count ") })
        #expect(found.isSuperset(of: ["booted", "disk vda", "net eth0", "rng virtio_rng.0", "port org.qemu.guest_agent.0", "agent", "balloon"]),
                "\(found.sorted())")
        #expect(!found.contains { $0.hasPrefix("cannot load") })

        func migrate(_ dom: DomainRef, emulator: String) async throws -> DomainRef {
            var def = try DomainDef.parse(try conn.xmlDesc(dom, flags: .migratable))
            def.emulator = emulator
            let before = LinuxGuest.counters(inLog: serial).last ?? 0
            let moved = try await conn.migrate3(dom, to: conn.driver.connect(),
                                                params: [TypedParameter(MigrateParam.destXML, .string(def.format()))],
                                                flags: [.live, .local])
            #expect(try conn.state(moved) == .running(.migrated))
            #expect(LinuxGuest.waitForCounter(inLog: serial, atLeast: before + 10), "the guest goes on counting after the move to \(emulator)")
            return moved
        }
        let same = try await migrate(dom, emulator: Emulators.qemu72)
        let upgraded = try await migrate(same, emulator: Emulators.qemu100)
        #expect(try conn.obj(upgraded).qemu.instance?.emulator == Emulators.qemu100)

        try await conn.suspend(upgraded)   // so that the console and the disk stop where they are
        let console = LinuxGuest.counters(inLog: serial)
        let onDisk = LinuxGuest.counters(onDisk: disk)
        #expect(!console.isEmpty && console == Array(0..<console.count), "the console counted without a gap or a restart")
        #expect(LinuxGuest.lines(inLog: serial).filter { $0 == "booted" }.count == 1, "the guest booted once")
        #expect(onDisk.count >= console.count && onDisk == Array(0..<onDisk.count),
                "the disk holds every value printed (\(console.count)) and nothing else: \(onDisk.count) slots")
        try await conn.destroy(upgraded)
        #expect(TestRoot.processes(mentioning: root.path + "/").isEmpty)
    }

    /// The Linux guest defined and started on a driver of `root`, once its
    /// acpid reads the power button (a press before that is lost).
    static func startUntilAcpid(_ root: TestRoot, serial: String) async throws -> (QemuConnection, DomainRef) {
        let xml = try LinuxGuest.domainXML(name: "linux", disk: try LinuxGuest.disk(in: root.path), serialLog: serial)
        let conn = try await QemuDriver.connect(uri: root.uri)
        let dom = try conn.defineXML(xml, validate: true)
        try await conn.create(dom)
        #expect(Wait.untilBlocking(timeout: .seconds(120)) { LinuxGuest.lines(inLog: serial).contains("acpid") },
                "the guest's acpid runs: \(LinuxGuest.lines(inLog: serial))")
        return (conn, dom)
    }

    /// A reboot by ACPI asked of a driver that ends before the guest powers
    /// off (a virsh command on the embedded driver): QEMU, told to pause
    /// rather than end, waits with the guest off, and the next driver to
    /// connect to it resets and resumes it: the same QEMU boots the guest
    /// again, and no second one starts.
    @Test func aRebootByACPIIsFinishedByTheNextDriverWhenTheFirstHasGone() async throws {
        let root = TestRoot("acpireboot")
        defer { #expect(root.cleanup() == []) }
        let serial = root.path + "/serial.log"
        var (conn, dom) = try await Self.startUntilAcpid(root, serial: serial)
        let qemus = TestRoot.processes(mentioning: root.path + "/")
        #expect(qemus.count == 1)
        try await conn.reboot(dom, flags: DomainShutdownFlags.acpiPowerButton.rawValue)
        conn.driver.close()

        #expect(Wait.untilBlocking(timeout: .seconds(60)) { LinuxGuest.lines(inLog: serial).contains("powering off") },
                "the guest powers off: \(LinuxGuest.lines(inLog: serial))")
        let stopped = LinuxGuest.counters(inLog: serial).last ?? 0
        try await Task.sleep(for: .seconds(2))
        #expect(TestRoot.processes(mentioning: root.path + "/") == qemus, "QEMU waits, paused, with the guest off")
        #expect(LinuxGuest.counters(inLog: serial).last ?? 0 == stopped)

        conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        // Its first command connects the monitor, which finds QEMU paused on
        // the power-off with a reboot pending.
        #expect(try await conn.qemuMonitorCommand(dom, command: #"{"execute":"query-status"}"#).contains("status"))
        #expect(Wait.untilBlocking(timeout: .seconds(120)) { LinuxGuest.lines(inLog: serial).filter { $0 == "booted" }.count == 2 },
                "the guest boots again: \(LinuxGuest.lines(inLog: serial))")
        #expect(TestRoot.processes(mentioning: root.path + "/") == qemus, "in the same QEMU")
        #expect(try conn.state(dom).state == .running)
        let status = try await conn.qemuMonitorCommand(dom, command: #"{"execute":"query-status"}"#)
        #expect(status.contains("\"running\": true") || status.contains("\"running\":true"), "\(status)")
        // The reboot is done: the next power-off ends QEMU again.
        #expect(Wait.untilBlocking(timeout: .seconds(120)) { LinuxGuest.lines(inLog: serial).filter { $0 == "acpid" }.count == 2 },
                "the guest's acpid runs again")
        try await conn.shutdown(dom, flags: DomainShutdownFlags.acpiPowerButton.rawValue)
        #expect(Wait.untilBlocking(timeout: .seconds(120)) { TestRoot.processes(mentioning: root.path + "/").isEmpty },
                "QEMU ends with its guest's power-off: \(LinuxGuest.lines(inLog: serial).filter { !$0.hasPrefix("count") })")
        #expect(Wait.untilBlocking(timeout: .seconds(30)) { (try? conn.state(dom).state) == .shutoff })
    }

    /// A reboot by ACPI asked just before a local migration stays a reboot
    /// in the new QEMU. The guest is paused, so it takes the button press
    /// (kept in the migrated ACPI registers) only once it runs in the
    /// destination: its power-off there must reset that QEMU, not end it.
    @Test func aRebootByACPIPendingAcrossALocalMigrationIsARebootInTheNewQemu() async throws {
        let root = TestRoot("acpimig")
        defer { #expect(root.cleanup() == []) }
        let serial = root.path + "/serial.log"
        let (conn, dom) = try await Self.startUntilAcpid(root, serial: serial)
        defer { conn.driver.close() }
        try await conn.suspend(dom)
        try await conn.reboot(dom, flags: DomainShutdownFlags.acpiPowerButton.rawValue)
        let moved = try await conn.migrate3(dom, to: conn.driver.connect(), params: [], flags: [.live, .local])
        let qemus = TestRoot.processes(mentioning: root.path + "/")
        #expect(qemus.count == 1)
        #expect(!LinuxGuest.lines(inLog: serial).contains("powering off"), "the paused guest has not seen the button yet")
        try await conn.resume(moved)
        #expect(Wait.untilBlocking(timeout: .seconds(60)) { LinuxGuest.lines(inLog: serial).contains("powering off") },
                "the guest takes the button press in the new QEMU: \(LinuxGuest.lines(inLog: serial))")
        #expect(Wait.untilBlocking(timeout: .seconds(120)) { LinuxGuest.lines(inLog: serial).filter { $0 == "booted" }.count == 2 },
                "and boots again: \(LinuxGuest.lines(inLog: serial))")
        #expect(TestRoot.processes(mentioning: root.path + "/") == qemus, "in the QEMU the migration started")
        #expect(try conn.state(moved).state == .running)
        try await conn.destroy(moved)
    }
}
