import Foundation
import Glibc
import Testing
import virutil

/// What /proc says about a process, read without Foundation.
@Suite struct ProcStatTests {
    @Test func thisProcessIsReadAndAPidThatDoesNotExistIsNot() throws {
        let me = try #require(ProcStat.read(getpid()))
        #expect(me.state == "R" || me.state == "S")
        #expect(me.startTime > 0)
        #expect(ProcStat.read(getpid())?.startTime == me.startTime, "the start time identifies the process")
        #expect(ProcStat.isRunning(getpid()))
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
