import Foundation
import TestSupport
import qemu_monitor

/// One QEMU for one test: `-S`, 16 MiB, TCG, no devices, a QMP socket in a
/// fresh temporary directory. `kill()` (call it in `defer`) kills and reaps
/// the process and removes the directory.
final class QemuInstance {
    static let binary = "/usr/bin/qemu-system-x86_64"

    let directory: URL
    let socketPath: String
    let process: Subprocess

    /// A fresh directory for an instance's files (short enough for a socket path).
    static func makeDirectoryURL() -> URL {
        URL(fileURLWithPath: "/tmp").appendingPathComponent("qmp-" + UUID().uuidString.prefix(8).lowercased())
    }

    static func socketPath(in directory: URL) -> String {
        directory.appendingPathComponent("qmp.sock").path
    }

    init(directory: URL = QemuInstance.makeDirectoryURL(), extraArguments: [String] = []) throws {
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        socketPath = Self.socketPath(in: directory)
        let log = directory.appendingPathComponent("qemu.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        do {
            process = try Subprocess(Self.binary, [
                "-machine", "pc", "-accel", "tcg", "-m", "16",
                "-nodefaults", "-no-user-config", "-display", "none", "-S",
                "-qmp", "unix:\(socketPath),server=on,wait=off",
            ] + extraArguments, stderr: .file(log.path))
        } catch {
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    var pid: Int32 { process.processIdentifier }

    /// Whether the process still exists (for `processAlive`).
    var aliveCheck: @Sendable () -> Bool {
        let pid = self.pid
        return { Foundation.kill(pid, 0) == 0 }
    }

    func connect(timeout: Duration = .seconds(30)) async throws -> QemuMonitor {
        try await QemuMonitor.connect(path: socketPath, timeout: timeout, processAlive: aliveCheck)
    }

    /// Waits up to `timeout` for the process to exit on its own.
    func waitForExit(timeout: TimeInterval) -> Bool {
        Wait.untilBlocking(timeout: .seconds(timeout)) { !process.isRunning }
    }

    func kill() {
        if process.isRunning {
            Foundation.kill(pid, SIGKILL)
        }
        process.wait()
        try? FileManager.default.removeItem(at: directory)
    }
}
