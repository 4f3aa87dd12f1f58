import Foundation
import Glibc
import Testing
import virutil

/// Running a program with input.
@Suite struct VirCommandTests {
    /// A program that closes its stdin without reading it: the write fails
    /// (EPIPE), this process lives on, and the program's status is reported.
    /// (SIGPIPE would end the process, as it ended a test run whose probe
    /// of /bin/true lost the race with its exit.)
    @Test func aProgramThatDoesNotReadItsInputDoesNotKillTheCaller() throws {
        let input = String(repeating: "x", count: 1 << 20)  // more than a pipe holds
        let (status, out) = try VirCommand(["/bin/sh", "-c", "exec <&-; echo closed; exit 3"]).output(input: input, timeout: .seconds(30))
        #expect(VirCommand.exitCode(status) == 3)
        #expect(out == "closed\n")
    }
}
