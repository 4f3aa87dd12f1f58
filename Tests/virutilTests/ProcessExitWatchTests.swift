import Foundation
import Glibc
import Synchronization
import Testing
import TestSupport
import virutil

/// The end of a process is noticed from its pidfd, and only the process
/// that started at the given time is watched.
@Suite struct ProcessExitWatchTests {
    @Test func anExitIsNoticedOnceAndACancelledWatchStaysQuiet() async throws {
        try #require(ProcessExitWatch.isSupported, "pidfd_open is missing (Linux 5.3, glibc 2.36)")
        let sleeper = try Subprocess("/bin/sleep", ["60"])
        let other = try Subprocess("/bin/sleep", ["60"])
        defer {
            kill(other.processIdentifier, SIGKILL)
            _ = other.wait(timeout: 30)
        }
        let start = try #require(ProcStat.read(sleeper.processIdentifier)?.startTime)
        let otherStart = try #require(ProcStat.read(other.processIdentifier)?.startTime)
        let exits = Atomic<Int>(0)
        let cancelledExits = Atomic<Int>(0)
        let watch = try #require(ProcessExitWatch.watch(pid: sleeper.processIdentifier, startTime: start) {
            exits.add(1, ordering: .relaxed)
        })
        let cancelled = try #require(ProcessExitWatch.watch(pid: other.processIdentifier, startTime: otherStart) {
            cancelledExits.add(1, ordering: .relaxed)
        })
        cancelled.cancel()
        #expect(exits.load(ordering: .relaxed) == 0)

        kill(sleeper.processIdentifier, SIGKILL)
        #expect(await Wait.until { exits.load(ordering: .relaxed) == 1 })
        kill(other.processIdentifier, SIGKILL)
        _ = other.wait(timeout: 30)
        _ = sleeper.wait(timeout: 30)
        await VirTime.pause(.milliseconds(100))
        #expect(exits.load(ordering: .relaxed) == 1, "once")
        #expect(cancelledExits.load(ordering: .relaxed) == 0)
        withExtendedLifetime(watch) {}
    }

    @Test func anotherProcessUnderTheSamePidIsNotWatched() throws {
        try #require(ProcessExitWatch.isSupported, "pidfd_open is missing (Linux 5.3, glibc 2.36)")
        let sleeper = try Subprocess("/bin/sleep", ["60"])
        defer {
            kill(sleeper.processIdentifier, SIGKILL)
            _ = sleeper.wait(timeout: 30)
        }
        let start = try #require(ProcStat.read(sleeper.processIdentifier)?.startTime)
        #expect(ProcessExitWatch.watch(pid: sleeper.processIdentifier, startTime: start &+ 1) {} == nil)
        #expect(ProcessExitWatch.watch(pid: 0, startTime: start) {} == nil)
    }
}
