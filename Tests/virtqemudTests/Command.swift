import Foundation
import TestSupport

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
        var env = ProcessInfo.processInfo.environment
        env["LC_ALL"] = "C"
        env["LANG"] = "C"
        let r = try Subprocess.run(path, args, environment: env, stdin: stdin.map { Data($0.utf8) }, timeout: timeout)
        return Result(status: r.status, stdout: r.stdout, stderr: r.stderr)
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

