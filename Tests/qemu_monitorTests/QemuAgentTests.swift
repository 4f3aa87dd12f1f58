import Foundation
import Glibc
import Testing
import TestSupport
import libvirt_abi
import qemu_agent
import qemu_monitor
import virutil

/// The agent client's side of the protocol, against a scripted peer on a
/// UNIX socket (the real agent is in the Linux guest's tests): replies left
/// over from an earlier client are read past, the agent's errors come out
/// in libvirt's words, a silent or vanished agent is reported, not waited
/// for.
@Suite struct QemuAgentTests {
    /// A one-connection peer: reads lines, answers each with what
    /// `answer` says (nothing for `nil`; `close` ends the connection).
    final class Peer: @unchecked Sendable {
        let path: String
        let listener: Int32
        var received: [String] = []
        let done = DispatchSemaphore(value: 0)

        init(_ root: TestRoot, answer: @escaping @Sendable (String) -> [String]?) throws {
            path = root.path + "/agent.sock"
            guard let addr = UnixSocketAddress(path: path), case .success(let fd) = VirSocket.listen(addr, path: path, mode: 0o600) else {
                throw VirError(.internalError, "cannot listen on \(path)")
            }
            listener = fd
            Thread.detachNewThread { [self] in
                defer { done.signal() }
                guard case .success(let conn) = VirSocket.accept(listener) else { return }
                defer { VirSocket.close(conn) }
                var buffer: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = chunk.withUnsafeMutableBytes { VirSocket.read(conn, into: $0) }
                    guard n > 0 else { return }
                    buffer += chunk[..<n]
                    // The reset byte the client sends first.
                    buffer.removeAll { $0 == 0xFF }
                    while let nl = buffer.firstIndex(of: 0x0A) {
                        let line = String(decoding: buffer[..<nl], as: UTF8.self)
                        buffer.removeSubrange(...nl)
                        received.append(line)
                        guard let replies = answer(line) else { return }
                        for r in replies { _ = VirSocket.sendAll(conn, Array((r + "\n").utf8)) }
                    }
                }
            }
        }

        deinit { VirSocket.close(listener) }
    }

    /// The id of a `guest-sync`.
    static func syncID(_ line: String) -> UInt64? {
        guard let v = try? JSONValue(parsing: line), v["execute"]?.stringValue == "guest-sync" else { return nil }
        return v["arguments"]?["id"]?.uint64Value
    }

    @Test func staleRepliesAreReadPastAndTheCommandAnswered() async throws {
        let root = TestRoot("agentok")
        defer { #expect(root.cleanup() == []) }
        let peer = try Peer(root) { line in
            if let id = Self.syncID(line) {
                // What an earlier client left: a reply to its own sync, an
                // error, then ours.
                return [#"{"return": 12}"#, #"{"error": {"class": "GenericError", "desc": "JSON parse error"}}"#, #"{"return": \#(id)}"#]
            }
            return [#"{"return": 1796600000123456789}"#]
        }
        let reply = try await QemuAgent(path: peer.path).execute("guest-get-time")
        #expect(reply.uint64Value == 1_796_600_000_123_456_789)
        peer.done.wait()
        #expect(peer.received.count == 2)
        #expect(peer.received.last == #"{"execute":"guest-get-time"}"#)
    }

    @Test func theAgentsErrorIsWordedAsLibvirt() async throws {
        let root = TestRoot("agenterr")
        defer { #expect(root.cleanup() == []) }
        let peer = try Peer(root) { line in
            if let id = Self.syncID(line) { return [#"{"return": \#(id)}"#] }
            return [#"{"error": {"class": "CommandNotFound"}}"#]
        }
        let error = await #expect(throws: VirError.self) { try await QemuAgent(path: peer.path).execute("guest-nosuch") }
        #expect(error?.code == .internalError)
        #expect(error?.detail == "unable to execute QEMU agent command 'guest-nosuch': The command has not been found")
    }

    @Test func aSilentAgentTimesOutAndAGoneOneIsReported() async throws {
        let root = TestRoot("agentto")
        defer { #expect(root.cleanup() == []) }
        let silent = try Peer(root) { _ in [] }
        let start = ContinuousClock.now
        let timedOut = await #expect(throws: VirError.self) {
            try await QemuAgent(path: silent.path).execute("guest-get-time", timeout: .milliseconds(300))
        }
        #expect(timedOut?.code == .agentUnresponsive)
        #expect(timedOut?.detail == "Guest agent not available for now")
        #expect(ContinuousClock.now - start < .seconds(30), "bounded by the timeout, not by the peer")
        unlink(silent.path)

        let gone = try Peer(root) { _ in nil }
        let eof = await #expect(throws: VirError.self) { try await QemuAgent(path: gone.path).execute("guest-get-time") }
        #expect(eof?.detail == "End of file from agent socket")
        unlink(gone.path)

        let nobody = await #expect(throws: VirError.self) { try await QemuAgent(path: root.path + "/none.sock").execute("guest-ping") }
        #expect(nobody?.code == .systemError)
        #expect(nobody?.detail?.hasPrefix("failed to connect to agent socket: ") == true)
    }
}
