import Foundation
import Glibc
import Testing
import virutil

/// What /proc says about a process, read without Foundation.
@Suite struct ProcStatTests {
    /// A thread of this process (as a vCPU thread is read): its main
    /// thread, which last ran on one of the host's CPUs.
    @Test func aThreadIsReadWithTheCPUItLastRanOn() throws {
        let me = try #require(ProcStat.read(getpid(), thread: getpid()))
        #expect(me.processor >= 0 && me.processor < Int32(sysconf(Int32(_SC_NPROCESSORS_CONF))))
        #expect(ProcStat.read(getpid(), thread: 1 << 30) == nil)
    }

    @Test func thisProcessIsReadAndAPidThatDoesNotExistIsNot() throws {
        let me = try #require(ProcStat.read(getpid()))
        #expect(me.state == "R" || me.state == "S")
        #expect(me.startTime > 0)
        #expect(ProcStat.read(getpid())?.startTime == me.startTime, "the start time identifies the process")
        #expect(ProcStat.isRunning(getpid()))
        // The resident size /proc/self/status gives, in KiB, within what
        // this process allocates between the two reads.
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let vmRSS = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
            .flatMap { $0.split(separator: " ").compactMap { UInt64($0.trimmingCharacters(in: .whitespaces)) }.first })
        let rss = try #require(ProcStat.read(getpid())).residentKiB
        #expect(rss > 0 && rss < vmRSS * 2 && vmRSS < rss * 2, "\(rss) KiB against VmRSS \(vmRSS) KiB")
        #expect(me.cpuTimeNanoseconds == me.userNanoseconds + me.systemNanoseconds, "USER_HZ divides a second")
        #expect(ProcStat.read(0) == nil)
        #expect(ProcStat.read(Int32.max) == nil)
        #expect(!ProcStat.isRunning(Int32.max))
    }

    @Test func theCommandLineIsReadAndSearchedArgumentByArgument() throws {
        let argv = ProcStat.commandLine(getpid())
        #expect(argv == CommandLine.arguments)
        let first = try #require(CommandLine.arguments.first)
        #expect(ProcStat.commandLine(getpid(), contains: String(first.suffix(5))))
        #expect(!ProcStat.commandLine(getpid(), contains: "no-such-argument-\(UUID().uuidString)"))
        #expect(!ProcStat.commandLine(getpid(), contains: ""))
        #expect(ProcStat.commandLine(Int32.max) == [])
    }
}
