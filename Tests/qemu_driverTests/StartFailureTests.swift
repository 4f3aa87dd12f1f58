import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_driver
import qemu_process

/// Starting fails clearly and leaves nothing: no process, no instance
/// directory, no id in the tables.
@Suite(.serialized) struct StartFailureTests {
    static func expectNothingLeft(_ root: TestRoot, _ conn: QemuConnection, _ dom: DomainRef) throws {
        #expect(TestRoot.processes(mentioning: root.path).isEmpty, "no QEMU left")
        #expect(root.files(under: "run/qemu").filter { $0.hasPrefix("domain-") }.isEmpty, "no instance directory left")
        #expect(try conn.lookup(name: dom.name).id == nil)
        #expect(try conn.state(dom).state == .shutoff)
        #expect(conn.listAllDomains(.active).isEmpty)
    }

    /// libvirt probes the emulator when it takes a definition: one it
    /// cannot run is refused at define, and nothing is defined.
    @Test func missingOrBrokenEmulatorIsRefusedAtDefine() async throws {
        let root = TestRoot("noemu")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let disk = try CounterGuest.disk(in: root.path)
        let missing = #expect(throws: VirError.self) {
            try conn.defineXML(CounterGuest.domainXML(name: "v", disk: disk, serialLog: root.path + "/s.log",
                                                      emulator: "/nonexistent/qemu"))
        }
        #expect(missing?.message == "Cannot check QEMU binary /nonexistent/qemu: No such file or directory")
        let fake = root.path + "/fake-qemu"
        try "#!/bin/sh\necho 'fake-qemu: this emulator gives up at once' >&2\nexit 1\n".write(toFile: fake, atomically: true, encoding: .utf8)
        chmod(fake, 0o755)
        let broken = #expect(throws: VirError.self) {
            try conn.defineXML(CounterGuest.domainXML(name: "v", disk: disk, serialLog: root.path + "/s.log", emulator: fake))
        }
        #expect(broken?.message == "internal error: Failed to start QEMU binary \(fake) for probing: fake-qemu: this emulator gives up at once")
        #expect(conn.listAllDomains().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root.path + "/etc/qemu/v.xml"))
    }

    /// The emulator is checked again at start: a binary removed since the
    /// definition was taken.
    @Test func emulatorRemovedAfterDefine() async throws {
        let root = TestRoot("goneemu")
        defer { #expect(root.cleanup() == []) }
        let emulator = try Emulators.replaceablePath(in: root.path)
        try Emulators.install(Emulators.qemu72, at: emulator)
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "v", disk: try CounterGuest.disk(in: root.path),
                                                            serialLog: root.path + "/s.log", emulator: emulator))
        try FileManager.default.removeItem(atPath: emulator)
        let error = await #expect(throws: VirError.self) { try await conn.create(dom) }
        #expect(error?.message == "Cannot check QEMU binary \(emulator): No such file or directory")
        try Self.expectNothingLeft(root, conn, dom)
    }

    @Test func emulatorThatExitsAtOnce() async throws {
        let root = TestRoot("exits")
        defer { #expect(root.cleanup() == []) }
        let fake = root.path + "/fake-qemu"
        try "#!/bin/sh\n\(Emulators.answerProbesWithQemu72)\necho 'fake-qemu: this emulator gives up at once' >&2\nexit 1\n"
            .write(toFile: fake, atomically: true, encoding: .utf8)
        chmod(fake, 0o755)
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "v", disk: try CounterGuest.disk(in: root.path),
                                                            serialLog: root.path + "/s.log", emulator: fake))
        let error = await #expect(throws: VirError.self) { try await conn.create(dom) }
        #expect(error?.code == .internalError)
        #expect(error?.message == "internal error: process exited while connecting to monitor: fake-qemu: this emulator gives up at once")
        try Self.expectNothingLeft(root, conn, dom)
    }

    @Test func missingDiskImage() async throws {
        let root = TestRoot("nodisk")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "v", disk: root.path + "/missing.img", serialLog: root.path + "/s.log"))
        let error = await #expect(throws: VirError.self) { try await conn.create(dom) }
        #expect(error?.message == "Cannot access storage file '\(root.path)/missing.img' (as uid:\(getuid()), gid:\(getgid())): No such file or directory")
        try Self.expectNothingLeft(root, conn, dom)
    }

    @Test func qemuRefusingItsCommandLine() async throws {
        let root = TestRoot("refuse")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        // A disk that is not a raw image of the size QEMU expects: give it
        // a qcow2 format it cannot read.
        let disk = try CounterGuest.disk(in: root.path)
        let xml = CounterGuest.domainXML(name: "v", disk: disk, serialLog: root.path + "/s.log")
            .replacingOccurrences(of: "type='raw'", with: "type='qcow2'")
        let dom = try conn.defineXML(xml)
        let error = await #expect(throws: VirError.self) { try await conn.create(dom) }
        #expect(error?.message.hasPrefix("internal error: process exited while connecting to monitor: ") == true)
        #expect(error?.message.contains("qcow2") == true || error?.message.contains("Image is not in qcow2 format") == true)
        try Self.expectNothingLeft(root, conn, dom)
    }

    @Test func rootTooLongForSockets() async throws {
        let base = TestRoot("long")
        defer { #expect(base.cleanup() == []) }
        let deep = base.path + "/" + String(repeating: "d", count: 90)
        try FileManager.default.createDirectory(atPath: deep, withIntermediateDirectories: true)
        let conn = try await QemuDriver.connect(uri: "qemu:///embed?root=\(deep)")
        defer { conn.driver.close() }
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "v", disk: try CounterGuest.disk(in: base.path), serialLog: base.path + "/s.log"))
        let error = await #expect(throws: VirError.self) { try await conn.create(dom) }
        #expect(error?.message.hasPrefix("internal error: UNIX socket path '\(deep)/run/qemu/domain-1-v/monitor.sock' too long") == true)
        #expect(TestRoot.processes(mentioning: deep).isEmpty)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: deep + "/run/qemu")) ?? []).filter { $0.hasPrefix("domain-") }.isEmpty)
        #expect(try conn.state(dom).state == .shutoff)
    }

    @Test func unsupportedDeviceIsRefusedBeforeAnythingStarts() async throws {
        let root = TestRoot("unsup")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "v", disk: try CounterGuest.disk(in: root.path), serialLog: root.path + "/s.log",
                                                            extraDevices: "<graphics type='sdl'/>"))
        let error = await #expect(throws: VirError.self) { try await conn.create(dom) }
        #expect(error?.message == "unsupported configuration: graphics type 'sdl' is not supported by this driver")
        try Self.expectNothingLeft(root, conn, dom)
    }
}
