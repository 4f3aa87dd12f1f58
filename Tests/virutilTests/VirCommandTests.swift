import Foundation
import Glibc
import Testing
import virutil

/// The one spawner: what a child inherits from us, and what it does not.
@Suite struct VirCommandTests {
    @Test func aDescriptorOpenedWithoutCloseOnExecDoesNotReachTheChild() throws {
        let leaky = open("/dev/null", O_RDONLY)  // no O_CLOEXEC, as a C library may open one
        #expect(leaky > 2)
        defer { close(leaky) }
        let child = try VirCommand(["/bin/sleep", "60"]).spawn()
        defer {
            kill(child.pid, SIGKILL)
            _ = VirCommand.wait(child.pid)
        }
        // Once sleep sleeps, its table is final. (Right after the exec the
        // dynamic loader still has each library it maps open as fd 3, so
        // the program's name in /proc is not enough; a descriptor we leaked
        // would stay open for good, and the wait would end without it.)
        var fds: [Int32] = []
        for _ in 0..<600 {
            let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(child.pid)/exe")
            if exe == "/usr/bin/sleep" || exe == "/bin/sleep", ProcStat.read(child.pid)?.state == "S" {
                fds = (try FileManager.default.contentsOfDirectory(atPath: "/proc/\(child.pid)/fd")).compactMap { Int32($0) }.sorted()
                if fds == [0, 1, 2] { break }
            }
            usleep(100_000)
        }
        #expect(fds == [0, 1, 2], "the child has \(fds) open")
    }

    @Test func aDescriptorAskedForBecomesAStandardStream() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        var command = VirCommand(["/bin/sh", "-c", "echo through-the-pipe"])
        command.stdout = .descriptor(ends[1])
        let child = try command.spawn()
        close(ends[1])
        #expect(VirCommand.exitCode(VirCommand.wait(child.pid)) == 0)
        var buf = [UInt8](repeating: 0, count: 64)
        let n = read(ends[0], &buf, buf.count)
        #expect(String(decoding: buf.prefix(max(0, n)), as: UTF8.self) == "through-the-pipe\n")
    }

    @Test func inputForAChildThatDoesNotReadItDoesNotKillUs() throws {
        // More than a pipe holds, for a program that exits without reading:
        // the write meets a closed pipe (SIGPIPE, which kills by default).
        let input = String(repeating: "x", count: 1 << 20)
        let (status, out) = try VirCommand(["/bin/true"]).output(input: input, timeout: .seconds(60))
        #expect(VirCommand.exitCode(status) == 0)
        #expect(out.isEmpty)
        // What a program that does read gets is whole.
        let (status2, out2) = try VirCommand(["/usr/bin/wc", "-c"]).output(input: "12345", timeout: .seconds(60))
        #expect(VirCommand.exitCode(status2) == 0)
        #expect(out2.trimmingCharacters(in: .whitespacesAndNewlines) == "5")
    }
}
