import Foundation
import Glibc
import TestSupport
import remote

/// The built `virtqemud` running as a real process on a socket inside a
/// test root, serving that root's embedded driver.
final class VirtqemudProcess: @unchecked Sendable {
    let root: TestRoot
    let socket: String
    let logPath: String
    private(set) var process: Subprocess
    /// "listening" lines seen so far in the log (one per start).
    private var listeningLines = 0

    /// The daemon executable, next to the test bundle in the build folder.
    static var binary: String? { BuiltProduct.path("virtqemud") }

    /// `qemu+unix:///system?socket=PATH`: what virsh and python use.
    var uri: String { "qemu+unix:///system?socket=\(socket)" }

    /// `socket`: the read-write socket (the read-only one is beside it,
    /// with `-ro`); in the root unless given.
    init(root: TestRoot, socket: String? = nil, extraArgs: [String] = []) throws {
        self.root = root
        self.socket = socket ?? root.path + "/virtqemud.sock"
        self.logPath = root.path + "/virtqemud.log"
        process = try Self.launch(socket: self.socket, root: root.path, log: logPath, extraArgs: extraArgs)
        try waitForSocket()
    }

    private static func launch(socket: String, root: String, log: String, extraArgs: [String]) throws -> Subprocess {
        guard let binary else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "virtqemud (build the package first)"]) }
        return try Subprocess(binary, ["--socket", socket, "--root", root] + extraArgs, stdout: .file(log), stderr: .file(log))
    }

    /// Waits until a client can connect and the daemon has said so in its
    /// log (the socket accepts connections from `listen(2)` on, a moment
    /// before the "listening" line is written).
    func waitForSocket(timeout: Duration = Wait.defaultTimeout) throws {
        var gone = false
        let up = Wait.untilBlocking(timeout: timeout, every: .milliseconds(20)) {
            if log.components(separatedBy: ": listening").count - 1 > listeningLines,
               let s = try? UnixStream.connect(path: socket) {
                s.close()
                listeningLines += 1
                return true
            }
            gone = !process.isRunning
            return gone
        }
        if up && !gone { return }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "virtqemud did not come up:\n\(log)"])
    }

    var isRunning: Bool { process.isRunning }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits for the process to end; its exit status.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM, timeout: TimeInterval = 20) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, signal)
        _ = Wait.untilBlocking(timeout: .seconds(timeout)) { !process.isRunning }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.wait()
            return nil
        }
        return process.terminationStatus
    }

    /// Starts the daemon again on the same socket and root.
    func restart(extraArgs: [String] = []) throws {
        process = try Self.launch(socket: socket, root: root.path, log: logPath, extraArgs: extraArgs)
        try waitForSocket()
    }

    /// A client of our own, opened.
    func client(onEvent: (@Sendable (RemoteMessage) -> Void)? = nil) throws -> RemoteClient {
        let c = try RemoteClient(socketPath: socket, onEvent: onEvent)
        try c.open()
        return c
    }

    /// QEMU processes of the root (the daemon mentions the root too).
    var qemuProcesses: [pid_t] {
        TestRoot.processes(mentioning: root.path).filter { pid in
            guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe") else { return false }
            return exe.contains("qemu-system")
        }
    }

    deinit {
        if process.isRunning { stop(SIGKILL) }
    }
}
