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
}
