import Foundation
import Synchronization

/// A program run on a terminal of its own, as a user runs it: util-linux's
/// `script` gives it a pty, the test types into it and reads what it
/// prints (for virsh's `console`, which wants a terminal).
public final class TerminalSession: Sendable {
    public let process: Subprocess
    private let output = Mutex<[UInt8]>([])

    /// Starts `argv` under `script`, `env` added to the runner's environment.
    public init(_ argv: [String], env: [String: String] = [:]) throws {
        let line = argv.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        process = try Subprocess("/usr/bin/script", ["-qfec", line, "/dev/null"], environment: environment,
                                 stdin: .pipe, stdout: .pipe, stderr: .pipe)
        let out = process.standardOutput
        Thread.detachNewThread { [self] in
            while let data = out?.availableData, !data.isEmpty {
                self.output.withLock { $0 += data }
            }
        }
    }

    /// Everything printed so far.
    public var text: String { String(decoding: output.withLock { $0 }, as: UTF8.self) }

    /// The counter guest's counters in what was printed.
    public var counters: [Int] { CounterGuest.counters(in: text.replacingOccurrences(of: "\r", with: "")) }

    /// Types `bytes` on the terminal.
    public func type(_ bytes: [UInt8]) { process.standardInput?.write(Data(bytes)) }

    /// Waits until `condition` holds of the session.
    public func waitFor(timeout: Duration = .seconds(30), _ condition: @escaping @Sendable (TerminalSession) -> Bool) -> Bool {
        Wait.untilBlocking(timeout: timeout, every: .milliseconds(50)) { condition(self) }
    }
}
