import Foundation
import Glibc
import Synchronization
import virutil

/// A child process for tests, started by the project's one spawner
/// (`VirCommand`, which says why not Foundation's `Process`) and reaped with
/// `waitpid` on its own pid.
public final class Subprocess: Sendable {
    /// Where a standard stream goes.
    public enum Stream: Sendable {
        case null
        /// A pipe the test reads (or, for stdin, writes).
        case pipe
        /// The test runner's own stream.
        case inherit
        /// A file, appended to.
        case file(String)
    }

    public let processIdentifier: pid_t
    /// Read ends of `.pipe` outputs, write end of a `.pipe` stdin.
    public let standardOutput: FileHandle?
    public let standardError: FileHandle?
    public let standardInput: FileHandle?

    private let status = Mutex<Int32?>(nil)

    /// Starts `path` with `arguments`.
    ///
    /// - Parameter environment: the whole environment (`nil`: the runner's).
    public init(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                stdin: Stream = .null, stdout: Stream = .null, stderr: Stream = .null) throws {
        func stream(_ s: Stream) -> VirCommand.Stream {
            switch s {
            case .null: return .null
            case .pipe: return .pipe
            case .inherit: return .inherit
            case .file(let path): return .appendFile(path)
            }
        }
        var command = VirCommand([path] + arguments, environment: environment.map { $0.map { "\($0.key)=\($0.value)" } })
        command.stdin = stream(stdin)
        command.stdout = stream(stdout)
        command.stderr = stream(stderr)
        let child = try command.spawn()
        processIdentifier = child.pid
        standardInput = child.stdin.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        standardOutput = child.stdout.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
        standardError = child.stderr.map { FileHandle(fileDescriptor: $0, closeOnDealloc: true) }
    }

    /// Reaps the child if it has exited; whether it still runs.
    public var isRunning: Bool {
        status.withLock { s in
            if s != nil { return false }
            var st: Int32 = 0
            let r = waitpid(processIdentifier, &st, WNOHANG)
            if r == processIdentifier || (r < 0 && errno == ECHILD) {
                s = r == processIdentifier ? st : 0
                return false
            }
            return true
        }
    }

    /// Waits for the child to exit, at most `timeout` (`nil`: for ever).
    /// - Returns: whether it exited.
    @discardableResult
    public func wait(timeout: TimeInterval? = nil) -> Bool {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        while isRunning {
            if let deadline, Date() >= deadline { return false }
            usleep(2_000)
        }
        return true
    }

    /// The exit code, or the number of the signal that ended the process
    /// (as Foundation's `terminationStatus`); -1 while it runs.
    public var terminationStatus: Int32 {
        guard !isRunning, let st = status.withLock({ $0 }) else { return -1 }
        let signal = st & 0x7f
        return signal == 0 ? (st >> 8) & 0xff : signal
    }

    /// Whether a signal ended it.
    public var wasSignaled: Bool {
        guard !isRunning, let st = status.withLock({ $0 }) else { return false }
        return st & 0x7f != 0
    }

    public func signal(_ sig: Int32) {
        if isRunning { kill(processIdentifier, sig) }
    }

    /// SIGTERM, like Foundation's `terminate()`.
    public func terminate() { signal(SIGTERM) }

    /// What `run` returns.
    public struct Result: Sendable, CustomStringConvertible {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        /// Killed for outliving the timeout.
        public var timedOut = false
        public var description: String { "status \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
    }

    /// Runs a program to completion, feeding it `stdin`, collecting its
    /// output; killed (SIGKILL) when it outlives `timeout`.
    public static func run(_ path: String, _ arguments: [String], environment: [String: String]? = nil,
                           stdin: Data? = nil, timeout: TimeInterval = 120) throws -> Result {
        let p = try Subprocess(path, arguments, environment: environment, stdin: stdin == nil ? .null : .pipe,
                               stdout: .pipe, stderr: .pipe)
        if let stdin, let h = p.standardInput {
            try? h.write(contentsOf: stdin)
            try? h.close()
        }
        final class Box: @unchecked Sendable { var data = Data() }
        let out = Box(), err = Box()
        let group = DispatchGroup()
        for (handle, box) in [(p.standardOutput, out), (p.standardError, err)] {
            guard let handle else { continue }
            group.enter()
            Thread.detachNewThread {
                box.data = handle.readDataToEndOfFile()
                group.leave()
            }
        }
        let timedOut = !p.wait(timeout: timeout)
        if timedOut {
            p.signal(SIGKILL)
            p.wait()
        }
        // A child that left a daemon behind holding the pipes: do not wait for it.
        _ = group.wait(timeout: .now() + 5)
        return Result(status: p.terminationStatus, stdout: String(decoding: out.data, as: UTF8.self),
                      stderr: String(decoding: err.data, as: UTF8.self), timedOut: timedOut)
    }
}
