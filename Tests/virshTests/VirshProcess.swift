import Foundation
import Glibc
import TestSupport

/// What one virsh run printed and how it ended.
struct VirshResult: Equatable, CustomStringConvertible {
    var stdout: String
    var stderr: String
    var status: Int32

    var description: String { "status \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)---" }
}

/// Runs virsh binaries as a user types them: ours (built next to this
/// test bundle) and Debian's `/usr/bin/virsh`, the reference.
enum Virsh {
    /// Our virsh, from the build directory of this test run.
    static let ours: String? = {
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("virsh").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        for d in [".build-virsh", ".build"] {
            let candidate = Fixtures.projectRoot.appendingPathComponent("\(d)/debug/virsh").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }()

    static let reference = "/usr/bin/virsh"
    static var haveReference: Bool { FileManager.default.isExecutableFile(atPath: reference) }

    /// This process's environment without a default URI, in the C locale,
    /// plus `env`.
    static func environment(_ env: [String: String]) -> [String: String] {
        var e = ProcessInfo.processInfo.environment
        e["LIBVIRT_DEFAULT_URI"] = nil
        e["VIRSH_DEFAULT_CONNECT_URI"] = nil
        e["LC_ALL"] = "C"
        for (k, v) in env { e[k] = v }
        return e
    }

    /// Runs `binary args...` with a clean environment plus `env`, and
    /// `stdin` from /dev/null.
    @discardableResult
    static func run(_ binary: String, _ args: [String], env: [String: String] = [:],
                    timeout: TimeInterval = 120) -> VirshResult {
        do {
            let r = try Subprocess.run(binary, args, environment: environment(env), timeout: timeout)
            return VirshResult(stdout: r.stdout, stderr: r.stderr, status: r.status)
        } catch {
            return VirshResult(stdout: "", stderr: "cannot run \(binary): \(error)", status: -1)
        }
    }

    /// Debian's virsh for a command that watches a job (`save`,
    /// `managedsave`, `dump`, `migrate`), run again when it hangs: virsh 9.0
    /// starts the job on a worker thread that ends with `g_main_loop_quit`,
    /// and only then enters `g_main_loop_run` itself (`virshWatchJob`,
    /// tools/virsh-domain.c). When the worker is done first, as it often is
    /// on the test driver, the quit is lost and virsh waits forever (three
    /// runs in 40 of `managedsave test` on this machine). Only a run killed
    /// for its timeout is repeated; any answer is kept.
    static func referenceWatchingJob(_ args: [String], env: [String: String] = [:]) -> VirshResult {
        let e = environment(env)
        var last = VirshResult(stdout: "", stderr: "", status: -1)
        for _ in 0..<5 {
            do {
                let r = try Subprocess.run(reference, args, environment: e, timeout: 30)
                last = VirshResult(stdout: r.stdout, stderr: r.stderr, status: r.status)
                if !r.timedOut { return last }
            } catch {
                return VirshResult(stdout: "", stderr: "cannot run \(reference): \(error)", status: -1)
            }
        }
        return last
    }

    /// Ours.
    @discardableResult
    static func ours(_ args: String..., env: [String: String] = [:]) -> VirshResult {
        run(ours ?? "/nonexistent/virsh", args, env: env)
    }

    /// Debian's.
    @discardableResult
    static func reference(_ args: String..., env: [String: String] = [:]) -> VirshResult {
        run(reference, args, env: env)
    }
}

/// Lines without those that mention `prefix` (figures that differ from run
/// to run, such as CPU time).
func dropping(_ prefix: String, _ text: String) -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix(prefix) }.joined(separator: "\n")
}

/// A UUID in a text, replaced by a fixed word.
func maskingUUIDs(_ text: String) -> String {
    text.replacingOccurrences(of: "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", with: "UUID",
                              options: .regularExpression)
}

