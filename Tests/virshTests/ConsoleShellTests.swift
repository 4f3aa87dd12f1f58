import Foundation
import Glibc
import Testing
import TestSupport

/// `console` on the embedded driver, on a terminal as a user has one
/// (util-linux's `script` gives virsh a pty): the counter guest's output
/// comes through, Ctrl-] leaves, a second session goes on reading, and the
/// refusals are virsh's and libvirt's.
@Suite(.serialized) struct ConsoleShellTests {
    init() throws {
        try #require(Virsh.ours != nil, "our virsh is not built")
    }

    func session(_ args: [String], env: [String: String]) throws -> TerminalSession {
        try TerminalSession([Virsh.ours ?? ""] + args, env: env)
    }

    @Test func consoleReadsTheGuestAndLeavesOnCtrlBracket() throws {
        let g = try LocalMigrationShellTests.Guest("console", ptyConsole: true)
        defer { #expect(g.root.cleanup() == []) }
        #expect(g.virsh("define", g.xmlFile).status == 0)
        let off = g.virsh("console", g.name)
        #expect(off.stderr == "error: The domain is not running\n", "\(off)")
        #expect(g.virsh("start", g.name).status == 0)
        let notty = g.virsh("console", g.name)
        #expect(notty.stderr == "error: Cannot run interactive console without a controlling TTY\n", "\(notty)")

        let first = try session(["console", g.name], env: g.env)
        #expect(first.waitFor { $0.text.contains("Connected to domain 'vm'\r\nEscape character is ^] (Ctrl + ])\r\n") }, "\(first.text)")
        #expect(first.waitFor { $0.counters.count >= 3 }, "the guest's counter comes through: \(first.text)")
        first.type([0x1D])
        #expect(first.process.wait(timeout: 30), "Ctrl-] ends the session")
        #expect(first.process.terminationStatus == 0)
        let lastSeen = first.counters.last ?? 0

        // Again, with another escape character: the counter has gone on.
        let second = try session(["-e", "^a", "console", g.name, "serial0"], env: g.env)
        #expect(second.waitFor { $0.text.contains("Escape character is ^a (Ctrl + a)") }, "\(second.text)")
        #expect(second.waitFor { ($0.counters.last ?? 0) > lastSeen + 2 }, "\(second.text)")
        second.type([0x01])
        #expect(second.process.wait(timeout: 30))
        #expect(second.process.terminationStatus == 0)

        let nosuch = try session(["console", g.name, "serial7"], env: g.env)
        #expect(nosuch.process.wait(timeout: 30))
        #expect(nosuch.text.contains("error: internal error: cannot find character device serial7"), "\(nosuch.text)")
        #expect(g.virsh("destroy", g.name).status == 0)
        #expect(g.virsh("undefine", g.name).status == 0)
    }

    /// A guest whose console is a file: libvirt's refusal.
    @Test func aConsoleThatIsNotAPtyIsRefused() throws {
        let g = try LocalMigrationShellTests.Guest("consolefile")
        defer { #expect(g.root.cleanup() == []) }
        #expect(g.virsh("define", g.xmlFile).status == 0)
        #expect(g.virsh("start", g.name).status == 0)
        let s = try session(["console", g.name], env: g.env)
        #expect(s.process.wait(timeout: 30))
        #expect(s.text.contains("error: internal error: character device serial0 is not using a PTY"), "\(s.text)")
        #expect(g.virsh("destroy", g.name).status == 0)
        #expect(g.virsh("undefine", g.name).status == 0)
    }
}
