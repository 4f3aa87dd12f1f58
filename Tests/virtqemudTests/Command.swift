import Foundation

/// Runs a program to completion: its output, error output and status.
struct Command {
    struct Result: CustomStringConvertible {
        let status: Int32
        let stdout: String
        let stderr: String
        /// What a terminal shows: output, then errors.
        var combined: String { stdout + stderr }
        var description: String { "status \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }
    }

    static func run(_ path: String, _ args: [String], stdin: String? = nil, timeout: TimeInterval = 120) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        var env = ProcessInfo.processInfo.environment
        env["LC_ALL"] = "C"
        env["LANG"] = "C"
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let input = Pipe()
        p.standardInput = input
        try p.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Read both pipes while waiting, so a chatty child never blocks.
        let group = DispatchGroup()
        let o = DataBox(), e = DataBox()
        group.enter()
        DispatchQueue.global().async { o.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { e.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(5_000) }
        if p.isRunning {
            p.terminate()
            p.waitUntilExit()
        }
        group.wait()
        return Result(status: p.terminationStatus, stdout: String(decoding: o.data, as: UTF8.self),
                      stderr: String(decoding: e.data, as: UTF8.self))
    }

    /// The real virsh (Debian's libvirt-clients 9.0) against `uri`.
    static func virsh(_ uri: String, _ args: String...) throws -> Result {
        try run("/usr/bin/virsh", ["-c", uri] + args)
    }

    static func virsh(_ uri: String, _ args: [String]) throws -> Result {
        try run("/usr/bin/virsh", ["-c", uri] + args)
    }

    /// Debian's python3 with python3-libvirt.
    static func python(_ script: String, _ args: [String] = [], timeout: TimeInterval = 180) throws -> Result {
        try run("/usr/bin/python3", ["-c", script] + args, timeout: timeout)
    }

    static var hasPythonLibvirt: Bool {
        (try? run("/usr/bin/python3", ["-c", "import libvirt"]).status) == 0
    }
}

/// Output collected on another thread (read only after the group is done).
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
