import Foundation
import Synchronization
import Testing
import TestSupport
import libvirt_abi
import qemu_monitor

/// The QMP client against a real QEMU 7.2 (`-S`, 16 MiB, TCG). Serialized so
/// at most one QEMU of this suite runs at a time.
@Suite(.serialized) struct QemuMonitorTests {
    @Test func greetingGivesQemu7Version() async throws {
        let qemu = try QemuInstance()
        defer { qemu.kill() }
        let monitor = try await qemu.connect()
        defer { monitor.close() }
        #expect(monitor.version.major == 7)
        #expect(monitor.version.number >= 7_000_000)
        #expect(monitor.greeting["capabilities"]?.arrayValue != nil)
        #expect(!monitor.isClosed)
    }

    @Test func statusIsPrelaunchUntilCont() async throws {
        let qemu = try QemuInstance()
        defer { qemu.kill() }
        let monitor = try await qemu.connect()
        defer { monitor.close() }

        let before = try await monitor.queryStatus()
        #expect(before.running == false)
        #expect(before.status == "prelaunch")
        #expect(PausedReason(qemuStatus: before.status) == .user)

        try await monitor.cont()
        let after = try await monitor.queryStatus()
        #expect(after.running == true)
        #expect(after.status == "running")
    }

    @Test func unknownCommandThrowsCommandNotFound() async throws {
        let qemu = try QemuInstance()
        defer { qemu.kill() }
        let monitor = try await qemu.connect()
        defer { monitor.close() }

        let error = await #expect(throws: QemuMonitorError.self) {
            _ = try await monitor.execute("no-such-command")
        }
        #expect(error?.qmpClass == "CommandNotFound")
        #expect(error?.code == .internalError)
        #expect(error?.domain == .qemu)
        #expect(error?.message == "internal error: unable to execute QEMU command 'no-such-command': The command no-such-command has not been found")
        // The monitor is still usable after an error reply.
        #expect(try await monitor.queryStatus().status == "prelaunch")
    }

    @Test func fiftyConcurrentQueriesAllSucceed() async throws {
        let qemu = try QemuInstance()
        defer { qemu.kill() }
        let monitor = try await qemu.connect()
        defer { monitor.close() }

        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<50 {
                group.addTask { try await monitor.queryStatus().status }
            }
            var all: [String] = []
            for try await status in group { all.append(status) }
            return all
        }
        #expect(results.count == 50)
        #expect(results.allSatisfy { $0 == "prelaunch" })
    }

    @Test func stopAndContGiveStopAndResumeEvents() async throws {
        let qemu = try QemuInstance()
        defer { qemu.kill() }
        let monitor = try await qemu.connect()
        defer { monitor.close() }
        let fromStream = NotificationRecorder()
        let fromHandler = NotificationRecorder()
        fromStream.follow(monitor.events)
        monitor.setEventHandler { fromHandler.record($0) }

        try await monitor.cont()
        let firstResume = await fromStream.event(named: "RESUME")
        #expect(firstResume != nil)

        try await monitor.stop()
        let stop = await fromStream.event(named: "STOP")
        #expect(stop != nil)
        #expect((stop?.timestamp?.seconds ?? 0) > 0)
        #expect(try await monitor.queryStatus().running == false)

        try await monitor.cont()
        #expect(await fromStream.events(named: "RESUME", count: 2))
        #expect(await fromHandler.events(named: "RESUME", count: 2))
        let names = fromHandler.all.compactMap(\.event?.name).filter { $0 == "STOP" || $0 == "RESUME" }
        #expect(names == ["RESUME", "STOP", "RESUME"])
    }

    @Test func quitClosesMonitorWithEndOfFile() async throws {
        let qemu = try QemuInstance()
        defer { qemu.kill() }
        let monitor = try await qemu.connect()
        defer { monitor.close() }
        let recorder = NotificationRecorder()
        recorder.follow(monitor.events)

        try await monitor.quit()
        let closed = await recorder.closed()
        #expect(closed != nil)
        let reason = closed.flatMap { $0.0 }
        #expect(reason == .endOfFile)
        #expect(monitor.isClosed)

        let error = await #expect(throws: QemuMonitorError.self) {
            _ = try await monitor.execute("query-status")
        }
        #expect(error?.message.contains("End of file from qemu monitor") == true)
        #expect(error?.code == .operationFailed)
        #expect(qemu.waitForExit(timeout: 10))
    }

    /// How quickly is for the benchmarks; here: it is noticed, as end of file.
    @Test func sigkillIsNoticed() async throws {
        let qemu = try QemuInstance()
        defer { qemu.kill() }
        let monitor = try await qemu.connect()
        defer { monitor.close() }
        let recorder = NotificationRecorder()
        monitor.setEventHandler { recorder.record($0) }
        // A command in flight when QEMU dies fails with the same error.
        _ = try await monitor.queryStatus()

        kill(qemu.pid, SIGKILL)
        let closed = await recorder.closed(timeout: Wait.defaultTimeout)
        let reason = closed.flatMap { $0.0 }
        #expect(reason == .endOfFile)
        let error = await #expect(throws: QemuMonitorError.self) { try await monitor.stop() }
        #expect(error == .endOfFile)
    }

    @Test func pendingCommandFailsWhenQemuDies() async throws {
        let qemu = try QemuInstance()
        defer { qemu.kill() }
        let monitor = try await qemu.connect()
        defer { monitor.close() }
        // `quit` closes the monitor right after replying: commands queued behind
        // it get end of file, never a hang.
        async let quit: Void = monitor.quit()
        let results = await withTaskGroup(of: Result<Bool, QemuMonitorError>.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    do throws(QemuMonitorError) {
                        return .success(try await monitor.queryStatus(timeout: .seconds(20)).running)
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var all: [Result<Bool, QemuMonitorError>] = []
            for await r in group { all.append(r) }
            return all
        }
        try await quit
        #expect(results.count == 10)
        for case .failure(let error) in results {
            #expect(error == .endOfFile)
        }
    }

    @Test func connectWithNothingListeningFailsWithinTimeout() async throws {
        let dir = URL(fileURLWithPath: "/tmp").appendingPathComponent("qmp-none-\(UUID().uuidString.prefix(8))")
        let path = dir.appendingPathComponent("qmp.sock").path
        let start = ContinuousClock.now
        let error = await #expect(throws: QemuMonitorError.self) {
            _ = try await QemuMonitor.connect(path: path, timeout: .seconds(1))
        }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(900))
        #expect(elapsed < .seconds(30), "gives up after its timeout, not never")
        #expect(error?.code == .systemError)
        #expect(error?.errno == ENOENT)
        #expect(error?.message == "monitor socket '\(path)' did not show up: No such file or directory")
    }

    @Test func connectStopsEarlyWhenProcessIsGone() async throws {
        let path = "/tmp/qmp-gone-\(UUID().uuidString.prefix(8)).sock"
        let start = ContinuousClock.now
        let error = await #expect(throws: QemuMonitorError.self) {
            _ = try await QemuMonitor.connect(path: path, timeout: .seconds(30), processAlive: { false })
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(error?.code == .internalError)
        #expect(error?.message == "internal error: process exited while connecting to monitor")
    }

    @Test func connectRetriesUntilQemuCreatesTheSocket() async throws {
        // Start connecting before QEMU exists; its socket shows up later.
        let directory = QemuInstance.makeDirectoryURL()
        let path = QemuInstance.socketPath(in: directory)
        let connecting = Task { try await QemuMonitor.connect(path: path, timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(300))
        let qemu: QemuInstance
        do {
            qemu = try QemuInstance(directory: directory)
        } catch {
            connecting.cancel()
            _ = await connecting.result
            throw error
        }
        defer { qemu.kill() }
        let monitor = try await connecting.value
        defer { monitor.close() }
        #expect(monitor.version.major == 7)
    }

    @Test func pathTooLongIsRefused() async throws {
        let path = "/tmp/" + String(repeating: "x", count: 200) + "/qmp.sock"
        let error = await #expect(throws: QemuMonitorError.self) {
            _ = try await QemuMonitor.connect(path: path, timeout: .seconds(1))
        }
        #expect(error?.message == "internal error: Monitor path \(path) too big for destination")
    }

    @Test func queryMigrateOnIdleVMIsNone() async throws {
        let qemu = try QemuInstance()
        defer { qemu.kill() }
        let monitor = try await qemu.connect()
        defer { monitor.close() }
        let stats = try await monitor.queryMigrate()
        #expect(stats.status == .none)
        #expect(stats.ram == nil)
        #expect(!stats.status.isInProgress)
    }

    @Test func ignoreSharedCapabilityRoundTrips() async throws {
        let qemu = try QemuInstance()
        defer { qemu.kill() }
        let monitor = try await qemu.connect()
        defer { monitor.close() }

        let initial = try await monitor.queryMigrateCapabilities()
        #expect(initial["x-ignore-shared"] == false)
        try await monitor.migrateSetCapabilities(["x-ignore-shared": true])
        #expect(try await monitor.queryMigrateCapabilities()["x-ignore-shared"] == true)
        try await monitor.migrateSetCapabilities(["x-ignore-shared": false])
        #expect(try await monitor.queryMigrateCapabilities()["x-ignore-shared"] == false)

        let error = await #expect(throws: QemuMonitorError.self) {
            try await monitor.migrateSetCapabilities(["no-such-capability": true])
        }
        #expect(error?.qmpClass == "GenericError")
        #expect(error?.message.hasPrefix("internal error: unable to execute QEMU command 'migrate-set-capabilities': ") == true)
    }

    @Test func migrationParametersRoundTripExactly() async throws {
        let qemu = try QemuInstance()
        defer { qemu.kill() }
        let monitor = try await qemu.connect()
        defer { monitor.close() }

        let before = try await monitor.queryMigrateParameters()
        #expect(before["downtime-limit"]?.int64Value == 300)
        try await monitor.migrateSetParameters(["downtime-limit": 123, "max-bandwidth": .int(17_179_869_184)])
        let after = try await monitor.queryMigrateParameters()
        #expect(after["downtime-limit"] == .int(123))
        #expect(after["max-bandwidth"] == .int(17_179_869_184))
    }

    @Test func humanMonitorAndGuestMemory() async throws {
        let qemu = try QemuInstance()
        defer { qemu.kill() }
        let monitor = try await qemu.connect()
        defer { monitor.close() }

        let status = try await monitor.humanMonitorCommand("info status")
        #expect(status.contains("VM status: paused (prelaunch)"))
        // RAM is all zeroes before the first instruction runs.
        #expect(try await monitor.readGuestMemory32(at: 0x500) == 0)
        // The BIOS reset vector is not: cross-check against the hex dump.
        let word = try await monitor.readGuestMemory32(at: 0xFFFF0)
        let hex = try await monitor.humanMonitorCommand("xp /1wx 0xffff0")
        let hexValue = hex.split(separator: ":").last.flatMap {
            UInt32($0.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "0x", with: ""), radix: 16)
        }
        #expect(word != 0)
        #expect(hexValue == word, "\(hex)")
    }

    @Test func closeIsIdempotentAndFreesTheSocket() async throws {
        let qemu = try QemuInstance()
        defer { qemu.kill() }
        let monitor = try await qemu.connect()
        let recorder = NotificationRecorder()
        recorder.follow(monitor.events)

        monitor.close()
        monitor.close()
        #expect(monitor.isClosed)
        let closed = await recorder.closed()
        #expect(closed != nil)
        #expect(closed?.0 == nil)
        let error = await #expect(throws: QemuMonitorError.self) { _ = try await monitor.queryStatus() }
        #expect(error == .monitorClosed)
        #expect(error?.message == "operation failed: QEMU monitor was closed")

        // QMP serves one client at a time: a second client only gets its
        // greeting if the first socket is really closed.
        let second = try await qemu.connect(timeout: .seconds(10))
        defer { second.close() }
        #expect(try await second.queryStatus().status == "prelaunch")
    }

    @Test func droppingTheMonitorClosesIt() async throws {
        let qemu = try QemuInstance()
        defer { qemu.kill() }
        var monitor: QemuMonitor? = try await qemu.connect()
        let events = monitor?.events
        monitor = nil
        let recorder = NotificationRecorder()
        if let events { await recorder.follow(events).value }
        #expect(recorder.all.last == .closed(nil))
        let second = try await qemu.connect(timeout: .seconds(10))
        defer { second.close() }
        #expect(try await second.queryStatus().running == false)
    }

    @Test func systemResetAndPowerdownAreAccepted() async throws {
        let qemu = try QemuInstance()
        defer { qemu.kill() }
        let monitor = try await qemu.connect()
        defer { monitor.close() }
        let recorder = NotificationRecorder()
        monitor.setEventHandler { recorder.record($0) }
        try await monitor.systemReset()
        #expect(await recorder.event(named: "RESET") != nil)
        try await monitor.systemPowerdown()
        #expect(await recorder.event(named: "POWERDOWN") != nil)
    }

    @Test func cancellingAWaitingCallerThrowsAborted() async throws {
        let qemu = try QemuInstance()
        defer { qemu.kill() }
        let monitor = try await qemu.connect()
        defer { monitor.close() }
        let task = Task { try await monitor.execute("query-status") }
        task.cancel()
        // Either the reply won the race or the cancellation did; never a hang.
        switch await task.result {
        case .success(let value): #expect(value["status"] == "prelaunch")
        case .failure(let error): #expect((error as? QemuMonitorError)?.code == .operationAborted)
        }
        #expect(try await monitor.queryStatus().status == "prelaunch")
    }

    @Test func localMigrationBetweenTwoQemusCompletes() async throws {
        let source = try QemuInstance()
        defer { source.kill() }
        let destination = try QemuInstance(extraArguments: ["-incoming", "defer"])
        defer { destination.kill() }
        let src = try await source.connect()
        defer { src.close() }
        let dst = try await destination.connect()
        defer { dst.close() }
        let dstEvents = NotificationRecorder()
        dst.setEventHandler { dstEvents.record($0) }

        #expect(try await dst.queryStatus().status == "inmigrate")
        try await dst.migrateSetCapabilities(["events": true])
        try await src.migrateSetCapabilities(["events": true])
        let uri = "unix:" + destination.directory.appendingPathComponent("migrate.sock").path
        try await dst.migrateIncoming(uri: uri)
        try await src.migrateSetParameters(["downtime-limit": 100])
        try await src.migrate(uri: uri)

        var stats = try await src.queryMigrate()
        _ = try await Wait.until(timeout: .seconds(60), every: .milliseconds(20)) {
            stats = try await src.queryMigrate()
            return stats.status.isFinished
        }
        #expect(stats.status == .completed, "\(stats.reply)")
        let ram = try #require(stats.ram)
        #expect(ram.total >= 16 * 1024 * 1024) // guest RAM plus ROMs
        #expect(ram.remaining == 0)
        #expect(ram.transferred > 0)
        #expect(stats.totalTime != nil)
        #expect(stats.downtime != nil)
        #expect(try await src.queryStatus().status == "postmigrate")
        #expect(PausedReason(qemuStatus: "postmigrate") == .migration)

        // The destination saw the MIGRATION events and can run.
        #expect(await dstEvents.wait { $0.event?.name == "MIGRATION" && $0.event?.data["status"] == "completed" } != nil)
        try await dst.cont()
        #expect(try await dst.queryStatus().running)
    }
}
