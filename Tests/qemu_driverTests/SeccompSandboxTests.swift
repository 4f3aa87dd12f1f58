import Foundation
import Testing
import TestSupport
import qemu_driver

/// QEMU runs under its seccomp filter (`-sandbox on,obsolete=deny,
/// elevateprivileges=deny,spawn=deny,resourcecontrol=deny`, as libvirt
/// starts it), the guest runs and moves by local migration under it, and
/// qemu.conf's `seccomp_sandbox = 0` turns it off.
@Suite(.serialized) struct SeccompSandboxTests {
    /// The `Seccomp:` mode the kernel reports for `pid` (2: a filter).
    static func seccompMode(_ pid: Int32) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("Seccomp:") }?
            .split(separator: "\t").last.map(String.init)
    }

    @Test func qemuRunsAndMigratesUnderItsSeccompFilter() async throws {
        let root = TestRoot("seccomp")
        defer { #expect(root.cleanup() == []) }
        let disk = try CounterGuest.disk(in: root.path)
        let serial = root.path + "/serial.log"
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "counter", disk: disk, serialLog: serial), validate: true)
        try await conn.create(dom)
        let pid = try #require(try conn.pid(conn.lookup(name: "counter")))
        #expect(Self.seccompMode(pid) == "2")
        #expect(try String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8).contains(
            "-sandbox\u{0}on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny\u{0}"))
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: 3))
        try await conn.migrate3(conn.lookup(name: "counter"), to: conn.driver.connect(), params: [], flags: [.live, .local])
        let moved = try #require(try conn.pid(conn.lookup(name: "counter")))
        #expect(moved != pid)
        #expect(Self.seccompMode(moved) == "2")
        let counter = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: counter + 3))
        try await conn.destroy(conn.lookup(name: "counter"))
    }

    @Test func seccompSandboxZeroTurnsItOff() async throws {
        let root = TestRoot("seccomp0")
        defer { #expect(root.cleanup() == []) }
        try FileManager.default.createDirectory(atPath: root.path + "/etc", withIntermediateDirectories: true)
        try "seccomp_sandbox = 0\n".write(toFile: root.path + "/etc/qemu.conf", atomically: true, encoding: .utf8)
        let disk = try CounterGuest.disk(in: root.path)
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "counter", disk: disk, serialLog: root.path + "/serial.log"),
                                     validate: true)
        try await conn.create(dom)
        let pid = try #require(try conn.pid(conn.lookup(name: "counter")))
        #expect(Self.seccompMode(pid) == "0")
        try await conn.destroy(conn.lookup(name: "counter"))
    }
}
