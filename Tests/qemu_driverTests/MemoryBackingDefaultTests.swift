import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_driver

/// `memory_backing_default = "shared-file"` in qemu.conf: guests whose XML
/// says nothing about memory get their RAM in their per-UUID shared file
/// (in `memory_backing_dir`), so that a local migration sends none of it.
@Suite(.serialized) struct MemoryBackingDefaultTests {
    static func sentBytes(_ conn: QemuConnection, _ dom: DomainRef) async throws -> UInt64 {
        let stats = try await conn.jobStats(dom, completed: true).params
        for p in stats where p.name == "memory_processed" { if case .ullong(let v) = p.value { return v } }
        return 0
    }

    @Test func aGuestWithoutMemoryBackingGetsItsSharedFileAndMovesWithoutCopying() async throws {
        let root = TestRoot("memdef")
        defer { #expect(root.cleanup() == []) }
        try FileManager.default.createDirectory(atPath: root.path + "/etc", withIntermediateDirectories: true)
        try """
            # guest RAM in shared files on a directory of our choosing
            memory_backing_default = "shared-file"
            memory_backing_dir = "\(root.path)/shm"

            """.write(toFile: root.path + "/etc/qemu.conf", atomically: true, encoding: .utf8)
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let serial = root.path + "/serial.log"
        // 16 MiB of guest RAM, 8 MiB of it random data that a copy would have to send.
        let xml = CounterGuest.domainXML(name: "vm", disk: try CounterGuest.disk(in: root.path), serialLog: serial,
                                         memoryMiB: 16, sharedMemory: false,
                                         ballast: try CounterGuest.ballast(in: root.path, mebibytes: 8))
        let dom = try await conn.create(try conn.defineXML(xml))
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: 3))
        #expect(try DomainDef.parse(try conn.xmlDesc(dom, flags: .inactive)).memoryBacking == nil, "the definition is left as written")
        let live = try DomainDef.parse(try conn.xmlDesc(dom))
        #expect(live.memoryBacking?.source == .file && live.memoryBacking?.access == .shared, "the live XML says what runs")
        let ramFile = "\(root.path)/shm/\(dom.uuid)/ram"
        #expect(FileManager.default.fileExists(atPath: ramFile))

        let after = try await conn.migrate3(dom, to: conn.driver.connect(), params: [], flags: [.live, .local])
        let sent = try await Self.sentBytes(conn, after)
        #expect(sent < 4 * 1024 * 1024, "RAM is not copied: \(sent) bytes sent")
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: (CounterGuest.counters(inLog: serial).last ?? 0) + 3))
        let c = CounterGuest.counters(inLog: serial)
        #expect(!c.isEmpty && c == Array(0..<c.count))
        try await conn.destroy(after)
        #expect(!FileManager.default.fileExists(atPath: ramFile), "the RAM file goes with the domain")
    }

    /// `memory_backing_default = "memfd"`: on QEMU 10.0 a shared memfd,
    /// which the next QEMU takes over by cpr-transfer; on 7.2, which cannot,
    /// the shared file.
    @Test func theMemfdSettingGivesAMemfdWhereTheEmulatorCanHandItOver() async throws {
        let root = TestRoot("memfd")
        defer { #expect(root.cleanup() == []) }
        try FileManager.default.createDirectory(atPath: root.path + "/etc", withIntermediateDirectories: true)
        try "memory_backing_default = \"memfd\"\n".write(toFile: root.path + "/etc/qemu.conf", atomically: true, encoding: .utf8)
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        for (name, emulator, source) in [("new", Emulators.qemu100, DomainMemoryBackingDef.Source.memfd),
                                         ("old", Emulators.qemu72, .file)] {
            let serial = root.path + "/\(name).log"
            let xml = CounterGuest.domainXML(name: name, disk: try CounterGuest.disk(in: root.path, name: "\(name).img"),
                                             serialLog: serial, sharedMemory: false, emulator: emulator)
            let dom = try await conn.create(try conn.defineXML(xml))
            #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: 3))
            let live = try DomainDef.parse(try conn.xmlDesc(dom))
            #expect(live.memoryBacking?.source == source && live.memoryBacking?.access == .shared, "\(name)")
            let after = try await conn.migrate3(dom, to: conn.driver.connect(), params: [], flags: [.live, .local])
            let mode = try await conn.completedMigrationMode(after)
            #expect(mode == .string(source == .memfd ? "cpr-transfer" : "normal"), "\(name)")
            #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: (CounterGuest.counters(inLog: serial).last ?? 0) + 3))
            let c = CounterGuest.counters(inLog: serial)
            #expect(!c.isEmpty && c == Array(0..<c.count), "\(name)")
            try await conn.destroy(after)
        }
    }

    @Test func aBadSettingIsRefusedWhenTheRootIsOpened() async throws {
        let root = TestRoot("membad")
        defer { #expect(root.cleanup() == []) }
        try FileManager.default.createDirectory(atPath: root.path + "/etc", withIntermediateDirectories: true)
        try "memory_backing_default = \"huge\"\n".write(toFile: root.path + "/etc/qemu.conf", atomically: true, encoding: .utf8)
        let error = await #expect(throws: VirError.self) { _ = try await QemuDriver.connect(uri: root.uri) }
        #expect(error?.message == "configuration file syntax error: \(root.path)/etc/qemu.conf: memory_backing_default must be one of \"private\", \"shared-file\", \"memfd\", not \"huge\"")
    }
}
