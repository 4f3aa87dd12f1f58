import Foundation
import Glibc
import Synchronization
import Testing
import libvirt_abi
import qemu_monitor

/// Commands passed through as text (`virsh qemu-monitor-command`): what
/// goes to QEMU, what comes back, and that the monitor stays usable.
@Suite struct PassthroughTests {
    /// A fake QEMU that records each line after the handshake and answers
    /// it with `answer(line)`.
    private func fake(_ lines: Lines, _ answer: @escaping @Sendable (String) -> String?) throws -> FakeQMPServer {
        try FakeQMPServer { peer in
            peer.handshake()
            while let line = peer.readLine() {
                lines.append(line)
                if let reply = answer(line) { peer.sendLine(reply) }
            }
        }
    }

    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    /// The id the monitor gave a line (`"id":"libvirt-N"` at its end).
    private static func id(of line: String) -> String {
        guard let r = line.range(of: #""id":"libvirt-"#) else { return "" }
        return "libvirt-" + line[r.upperBound...].prefix { $0.isNumber }
    }

    @Test func commandGetsAnIdAtTheEndAndTheReplyKeepsQemusOrder() async throws {
        let lines = Lines()
        let server = try fake(lines) { line in
            #"{"return": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "x"}, "id": "\#(Self.id(of: line))"}"#
        }
        defer { server.stop() }
        let monitor = try await QemuMonitor.connect(path: server.path)
        defer { monitor.close() }
        let reply = try await monitor.arbitraryCommand(#"{ "execute" : "query-version" }"#)
        let sent = try #require(lines.all.last)
        let id = Self.id(of: sent)
        #expect(sent == #"{"execute":"query-version","id":"\#(id)"}"#)
        #expect(reply == #"{"return":{"qemu":{"micro":22,"minor":2,"major":7},"package":"x"},"id":"\#(id)"}"#)
    }

    @Test func aCommandWithoutExecuteGetsTheReplyWithoutId() async throws {
        let lines = Lines()
        let server = try fake(lines) { line in
            if line.contains("\"foo\"") { return #"{"error": {"class": "GenericError", "desc": "QMP input member 'foo' is unexpected"}}"# }
            return #"{"return": {"status": "running", "singlestep": false, "running": true}, "id": "\#(Self.id(of: line))"}"#
        }
        defer { server.stop() }
        let monitor = try await QemuMonitor.connect(path: server.path)
        defer { monitor.close() }
        #expect(try await monitor.arbitraryCommand(#"{"foo":1}"#)
                == #"{"error":{"class":"GenericError","desc":"QMP input member 'foo' is unexpected"}}"#)
        #expect(lines.all.last == #"{"foo":1}"#)
        // The monitor goes on: its own commands still get their replies.
        #expect(try await monitor.queryStatus().status == "running")
        #expect(!monitor.isClosed)
    }

    @Test func libvirtsRefusals() async throws {
        let lines = Lines()
        let server = try fake(lines) { line in #"{"return": {}, "id": "\#(Self.id(of: line))"}"# }
        defer { server.stop() }
        let monitor = try await QemuMonitor.connect(path: server.path)
        defer { monitor.close() }
        for text in [#"{"execute":"query-status","id":"mine"}"#, "[1]"] {
            let e = await #expect(throws: QemuMonitorError.self) { try await monitor.arbitraryCommand(text) }
            #expect(e == QemuMonitorError(.internalError, "Unable to append command 'id' string"))
        }
        let notJSON = await #expect(throws: QemuMonitorError.self) { try await monitor.arbitraryCommand(#"{"execute":"#) }
        #expect(notJSON?.code == .internalError)
        #expect(notJSON?.detail?.hasPrefix(#"cannot parse json {"execute":: parse error: premature EOF"#) == true)
        // Nothing of it reached QEMU (only the handshake's line did).
        #expect(lines.all.isEmpty)
        #expect(try await monitor.arbitraryCommand(#"{"execute":"stop"}"#).hasPrefix(#"{"return":{},"id":"libvirt-"#))
    }

    /// With real QEMU: the reply to `query-version` is the greeting's
    /// version, and a descriptor passed along reaches QEMU (`getfd`).
    @Test func realQemuAnswersAndTakesADescriptor() async throws {
        let qemu = try QemuInstance()
        defer { qemu.kill() }
        let monitor = try await qemu.connect()
        defer { monitor.close() }
        let reply = try await monitor.arbitraryCommand(#"{"execute":"query-version"}"#)
        let v = monitor.version
        #expect(reply.hasPrefix(#"{"return":{"qemu":{"micro":\#(v.micro),"minor":\#(v.minor),"major":\#(v.major)},"package":""#))
        #expect(reply.hasSuffix(#""},"id":"libvirt-2"}"#)) // 1 was qmp_capabilities

        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        #expect(try await monitor.arbitraryCommand(#"{"execute":"getfd","arguments":{"fdname":"p"}}"#, fd: fds[0])
                    .hasPrefix(#"{"return":{},"id":"#))
        #expect(try await monitor.arbitraryCommand(#"{"execute":"closefd","arguments":{"fdname":"p"}}"#)
                    .hasPrefix(#"{"return":{},"id":"#))
        // A descriptor that is not open: only this command fails.
        let bad = await #expect(throws: QemuMonitorError.self) {
            try await monitor.arbitraryCommand(#"{"execute":"getfd","arguments":{"fdname":"q"}}"#, fd: 9999)
        }
        #expect(bad?.message == "Unable to write to monitor: Bad file descriptor")
        #expect(try await monitor.humanMonitorCommand("info status") == "VM status: paused (prelaunch)\r\n")
    }
}
