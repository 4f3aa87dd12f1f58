import Foundation
import Glibc
import Testing
import virutil

/// Signals reach the process meant: one whose start time no longer matches
/// is not signalled, nor a child already reaped (its pid may be reused).
@Suite struct VirProcessTests {
    @Test func aProcessWhoseStartTimeDiffersIsNotSignalled() throws {
        let child = try VirCommand(["/bin/sleep", "30"], environment: []).spawn()
        let start = try #require(ProcStat.read(child.pid)?.startTime)
        #expect(!VirProcess.signal(child.pid, startTime: start + 1, SIGKILL))
        #expect(ProcStat.isRunning(child.pid))
        #expect(VirProcess.signal(child.pid, startTime: start, SIGKILL))
        let status = VirCommand.wait(child.pid)
        #expect(status & 0x7f == SIGKILL)
        #expect(!VirProcess.signal(child.pid, startTime: start, SIGKILL), "reaped: nothing to signal")
    }

    @Test func aReapedChildIsNotSignalledThroughItsHold() throws {
        let spawned = try VirCommand(["/bin/true"], environment: []).spawn()
        let held = VirProcess.Child(spawned.pid)
        _ = VirCommand.wait(spawned.pid)
        let sent = held.signal(SIGKILL)
        #expect(!sent)
    }
}
