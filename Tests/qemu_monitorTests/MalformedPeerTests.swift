import Foundation
import Testing
import virutil
import libvirt_abi
import qemu_monitor

/// A fake peer that breaks the protocol: the client fails cleanly, never
/// crashes and never waits past its timeout.
@Suite struct MalformedPeerTests {
    /// Connects to `server` and expects the connection to fail; returns the
    /// error and how long it took.
    /// Connects with a long timeout (60 s), so that a failure in well under
    /// half of it (30 s, generous on a busy machine) came from the peer's
    /// bytes and not from the timeout.
    private func failingConnect(_ server: FakeQMPServer, timeout: Duration = .seconds(60)) async -> (QemuMonitorError?, Duration) {
        let start = ContinuousClock.now
        do {
            let monitor = try await QemuMonitor.connect(path: server.path, timeout: timeout)
            monitor.close()
            return (nil, ContinuousClock.now - start)
        } catch {
            return (error, ContinuousClock.now - start)
        }
    }

    @Test func garbageGreetingIsAParseError() async throws {
        let server = try FakeQMPServer { peer in
            peer.sendLine("hello, I am not QMP")
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let (error, elapsed) = await failingConnect(server)
        #expect(error?.code == .internalError)
        #expect(error?.message.hasPrefix("internal error: cannot parse json hello, I am not QMP: ") == true)
        #expect(elapsed < .seconds(30))
    }

    @Test func nonObjectGreetingIsRefused() async throws {
        let server = try FakeQMPServer { peer in
            peer.sendLine("[1, 2, 3]")
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let (error, _) = await failingConnect(server)
        #expect(error?.message == "internal error: Parsed JSON reply '[1, 2, 3]' isn't an object")
    }

    @Test func greetingWithoutVersionIsRefused() async throws {
        let server = try FakeQMPServer { peer in
            peer.sendLine(#"{"QMP": {"capabilities": []}}"#)
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let (error, _) = await failingConnect(server)
        #expect(error?.code == .internalError)
        #expect(error?.message.contains("QMP greeting without a QEMU version") == true)
    }

    /// QEMU flushes output it queued for a client that went away (a driver
    /// that died mid-migration) to the next connection, ahead of the
    /// greeting: such an event is passed over; a reply there is not.
    @Test func aLeftoverEventBeforeTheGreetingIsPassedOver() async throws {
        let server = try FakeQMPServer { peer in
            peer.sendLine(#"{"timestamp": {"seconds": 1796278403, "microseconds": 21198}, "event": "STOP"}"#)
            peer.handshake()
            guard let c = peer.readCommand() else { return }
            peer.sendLine(#"{"return": {"running": false, "singlestep": false, "status": "paused"}, "id": "\#(c.id)"}"#)
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let monitor = try await QemuMonitor.connect(path: server.path, timeout: .seconds(10))
        defer { monitor.close() }
        let status = try await monitor.queryStatus()
        #expect(status.status == "paused")
        let strayReply = try FakeQMPServer { peer in
            peer.sendLine(#"{"return": {}}"#)
            peer.waitForClientClose()
        }
        defer { strayReply.stop() }
        let (error, _) = await failingConnect(strayReply)
        #expect(error?.message == #"internal error: missing QMP greeting, got '{"return": {}}'"#)
    }

    @Test func truncatedGreetingThenSilenceTimesOut() async throws {
        let server = try FakeQMPServer { peer in
            peer.send(#"{"QMP": {"version": {"qemu""#)
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let (error, elapsed) = await failingConnect(server, timeout: .seconds(1))
        #expect(error?.code == .operationTimeout)
        #expect(error?.message.hasPrefix("Timed out during operation: no QMP greeting") == true)
        #expect(elapsed >= .milliseconds(900))
        #expect(elapsed < .seconds(30))
    }

    @Test func truncatedGreetingThenCloseIsEndOfFile() async throws {
        let server = try FakeQMPServer { peer in
            peer.send(#"{"QMP": {"version": {"qemu""#)
        }
        defer { server.stop() }
        let (error, elapsed) = await failingConnect(server)
        #expect(error == .endOfFile)
        #expect(elapsed < .seconds(30))
    }

    @Test func replyWithForeignIdDuringHandshakeIsRefused() async throws {
        let server = try FakeQMPServer { peer in
            peer.sendLine(FakeQMPServer.greeting)
            _ = peer.readCommand()
            peer.sendLine(#"{"return": {}, "id": "someone-else"}"#)
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let (error, elapsed) = await failingConnect(server)
        #expect(error?.message == #"internal error: Unexpected JSON reply '{"return": {}, "id": "someone-else"}'"#)
        #expect(elapsed < .seconds(30))
    }

    @Test func replyWithForeignIdClosesTheMonitor() async throws {
        let server = try FakeQMPServer { peer in
            peer.handshake()
            _ = peer.readCommand()
            peer.sendLine(#"{"return": {"running": true, "status": "running"}, "id": "libvirt-999"}"#)
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let monitor = try await QemuMonitor.connect(path: server.path, timeout: .seconds(10))
        defer { monitor.close() }
        let recorder = NotificationRecorder()
        recorder.follow(monitor.events)

        let error = await #expect(throws: QemuMonitorError.self) {
            _ = try await monitor.queryStatus(timeout: .seconds(10))
        }
        #expect(error?.message.hasPrefix("internal error: Unexpected JSON reply") == true)
        let closed = await recorder.closed()
        #expect(closed?.0 == error)
        #expect(monitor.closeReason == error)
    }

    @Test func unansweredCommandTimesOutAndLateReplyIsDropped() async throws {
        let server = try FakeQMPServer { peer in
            peer.handshake()
            guard let silent = peer.readCommand() else { return }
            // Answer the first command only after the second arrives.
            guard let next = peer.readCommand() else { return }
            peer.sendLine(#"{"return": {"running": false, "status": "late"}, "id": "\#(silent.id)"}"#)
            peer.sendLine(#"{"return": {"running": true, "status": "running"}, "id": "\#(next.id)"}"#)
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let monitor = try await QemuMonitor.connect(path: server.path, timeout: .seconds(10))
        defer { monitor.close() }

        let start = ContinuousClock.now
        let error = await #expect(throws: QemuMonitorError.self) {
            _ = try await monitor.queryStatus(timeout: .seconds(1))
        }
        #expect(error?.code == .operationTimeout)
        #expect(error?.message == "Timed out during operation: no reply to QEMU command 'query-status' within 1 second")
        #expect(ContinuousClock.now - start < .seconds(5))

        let status = try await monitor.queryStatus(timeout: .seconds(10))
        #expect(status.status == "running")
        #expect(!monitor.isClosed)
    }

    @Test func repliesOutOfOrderReachTheirCallers() async throws {
        let count = 50
        let server = try FakeQMPServer { peer in
            peer.handshake()
            var commands: [(id: String, n: Int)] = []
            for _ in 0..<count {
                guard let command = peer.readCommand() else { return }
                commands.append((command.id, command.n ?? -1))
            }
            for command in commands.reversed() {
                peer.sendLine(#"{"return": \#(command.n), "id": "\#(command.id)"}"#)
            }
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let monitor = try await QemuMonitor.connect(path: server.path, timeout: .seconds(10))
        defer { monitor.close() }

        // The peer echoes each command's argument `n` in the reply with that
        // command's id: every caller must get back its own `n`.
        let mismatches = try await withThrowingTaskGroup(of: Bool.self) { group in
            for n in 0..<count {
                group.addTask {
                    try await monitor.execute("echo", ["n": JSONValue(n)], timeout: .seconds(20)).intValue != n
                }
            }
            var bad = 0
            for try await mismatch in group where mismatch { bad += 1 }
            return bad
        }
        #expect(mismatches == 0)
    }

    @Test func errorReplyKeepsClassAndDescription() async throws {
        let server = try FakeQMPServer { peer in
            peer.handshake()
            guard let command = peer.readCommand() else { return }
            peer.sendLine(#"{"error": {"class": "DeviceNotActive", "desc": "No migration in progress"}, "id": "\#(command.id)"}"#)
            guard let second = peer.readCommand() else { return }
            peer.sendLine(#"{"error": "what?", "id": "\#(second.id)"}"#)
            guard let third = peer.readCommand() else { return }
            peer.sendLine(#"{"id": "\#(third.id)"}"#)
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let monitor = try await QemuMonitor.connect(path: server.path, timeout: .seconds(10))
        defer { monitor.close() }

        let first = await #expect(throws: QemuMonitorError.self) { try await monitor.migrateCancel() }
        #expect(first?.qmpClass == "DeviceNotActive")
        #expect(first?.message == "internal error: unable to execute QEMU command 'migrate_cancel': No migration in progress")

        let second = await #expect(throws: QemuMonitorError.self) { try await monitor.stop() }
        #expect(second?.message == "internal error: unable to execute QEMU command 'stop': unknown QEMU command error")

        // Neither return nor error: not a reply at all.
        let third = await #expect(throws: QemuMonitorError.self) { try await monitor.stop() }
        #expect(third?.message.hasPrefix("internal error: Unknown JSON reply") == true)
    }

    @Test func eventsCarryDataAndTimestamp() async throws {
        let server = try FakeQMPServer { peer in
            peer.handshake()
            peer.sendLine(#"{"timestamp": {"seconds": 1700000000, "microseconds": 123456}, "event": "MIGRATION", "data": {"status": "completed"}}"#)
            peer.sendLine(#"{"event": "STOP"}"#)
            peer.sendLine(#"{"event": 42}"#)
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let monitor = try await QemuMonitor.connect(path: server.path, timeout: .seconds(10))
        defer { monitor.close() }
        let recorder = NotificationRecorder()
        recorder.follow(monitor.events)

        let migration = await recorder.event(named: "MIGRATION")
        #expect(migration?.data["status"] == "completed")
        #expect(migration?.timestamp == .init(seconds: 1_700_000_000, microseconds: 123_456))
        let stop = await recorder.event(named: "STOP")
        #expect(stop?.data == .null)
        #expect(stop?.timestamp == nil)
        // An event without a name is a protocol error that ends the connection.
        let closed = await recorder.closed()
        #expect(closed?.0?.message == #"internal error: Unknown JSON reply '{"event": 42}'"#)
    }

    @Test func endlessLineIsCutAtTenMebibytes() async throws {
        let server = try FakeQMPServer { peer in
            peer.handshake()
            let chunk = String(repeating: "a", count: 1 << 20)
            peer.send(#"{"event": "X", "data": ""#)
            for _ in 0..<11 { peer.send(chunk) }
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let monitor = try await QemuMonitor.connect(path: server.path, timeout: .seconds(10))
        defer { monitor.close() }
        let recorder = NotificationRecorder()
        recorder.follow(monitor.events)
        let closed = await recorder.closed(timeout: .seconds(30))
        #expect(closed?.0?.message == "internal error: QEMU monitor reply exceeds buffer size (10485760 bytes)")
    }

    @Test func deeplyNestedJSONIsAnErrorNotACrash() async throws {
        let server = try FakeQMPServer { peer in
            peer.sendLine(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let (error, _) = await failingConnect(server)
        #expect(error?.code == .internalError)
        #expect(error?.message.contains("cannot parse json") == true)
        #expect(error?.message.contains("nesting too deep") == true)
    }

    @Test func invalidUTF8AndControlBytesDoNotCrash() async throws {
        let server = try FakeQMPServer { peer in
            peer.handshake()
            peer.send("{\"event\": \"\u{01}\"}\r\n")
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let monitor = try await QemuMonitor.connect(path: server.path, timeout: .seconds(10))
        defer { monitor.close() }
        let recorder = NotificationRecorder()
        recorder.follow(monitor.events)
        let closed = await recorder.closed()
        #expect(closed?.0?.message.contains("cannot parse json") == true)
    }

    @Test func socketWithoutListenerIsRefusedUntilTimeout() async throws {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("qmp-nolisten-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("qmp.sock").path
        // Bound but never listening: connect(2) gives ECONNREFUSED, like a
        // socket file left behind by a dead QEMU.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        let address = try #require(UnixSocketAddress(path: path))
        let rc = address.withSockaddr { bind(fd, $0, $1) }
        try #require(rc == 0)

        let start = ContinuousClock.now
        let error = await #expect(throws: QemuMonitorError.self) {
            _ = try await QemuMonitor.connect(path: path, timeout: .seconds(1))
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(error?.errno == ECONNREFUSED)
        #expect(error?.message == "monitor socket '\(path)' did not show up: Connection refused")
    }

    @Test func handlerSetAfterTheEndStillHearsIt() async throws {
        let server = try FakeQMPServer { peer in
            peer.handshake()
        }
        defer { server.stop() }
        let monitor = try await QemuMonitor.connect(path: server.path, timeout: .seconds(10))
        defer { monitor.close() }
        let early = NotificationRecorder()
        early.follow(monitor.events)
        #expect(await early.closed()?.0 == .endOfFile)

        let late = NotificationRecorder()
        monitor.setEventHandler { late.record($0) }
        #expect(late.all == [.closed(.endOfFile)])
    }

    @Test func handlerMayCloseTheMonitor() async throws {
        let server = try FakeQMPServer { peer in
            peer.handshake()
            // The event comes after the next command, once the handler is set.
            guard let command = peer.readCommand() else { return }
            peer.sendLine(#"{"return": {}, "id": "\#(command.id)"}"#)
            peer.sendLine(#"{"event": "SHUTDOWN", "data": {"guest": true, "reason": "guest-shutdown"}}"#)
            peer.waitForClientClose()
        }
        defer { server.stop() }
        let monitor = try await QemuMonitor.connect(path: server.path, timeout: .seconds(10))
        defer { monitor.close() }
        let recorder = NotificationRecorder()
        monitor.setEventHandler { [weak monitor] notification in
            recorder.record(notification)
            if notification.event?.name == "SHUTDOWN" { monitor?.close() }
        }
        _ = try await monitor.execute("go")
        let closed = await recorder.closed()
        #expect(closed != nil)
        #expect(closed?.0 == nil)
        #expect(recorder.all.first?.event?.data["reason"] == "guest-shutdown")
    }
}
