import Foundation
import Glibc

/// The state of one virsh run: options, the connection, the error to
/// report, and the printing rules (`vshControl` with `virshControl`).
@MainActor
final class Control {
    /// `-q`: no extra messages, no table headers.
    var quiet = false
    /// `-t`: print how long each command took.
    var timing = false
    /// `-r`: read-only connection.
    var readonly = false
    /// `-c URI`.
    var connectURI: String?
    /// `-e`: the console's escape sequence (`^]`, or one character).
    var escapeChar = "^]"
    /// The interactive shell runs (no command on the command line).
    var interactive = false
    /// Set by `quit`/`exit` in the interactive shell.
    var quitRequested = false

    private(set) var conn: (any VirshConnection)?
    /// The library error to report when the command fails
    /// (virsh's `last_error`).
    private var lastError: VirshError?

    /// When set, what `print`, `printExtra` and `error` would write goes
    /// here instead of stdout and stderr (`isError` for stderr): unit
    /// tests read the parser's messages this way.
    var recorder: ((_ text: String, _ isError: Bool) -> Void)?

    // MARK: printing (vshPrint, vshPrintExtra, vshError)

    func print(_ text: String) { out(text) }

    /// Suppressed in quiet mode.
    func printExtra(_ text: String) {
        if !quiet { out(text) }
    }

    func error(_ text: String) {
        let line = "error: " + text + "\n"
        if let recorder { recorder(line, true) } else { Console.err(line) }
    }

    private func out(_ text: String) {
        if let recorder { recorder(text, false) } else { Console.out(text) }
    }

    /// Keeps a library error for the end of the command
    /// (`vshSaveLibvirtError`).
    func save(_ e: VirshError) { lastError = e }

    /// `vshResetLibvirtError`.
    func resetError() { lastError = nil }

    /// `vshReportError`.
    func reportError() {
        if let e = lastError { error(e.message) }
        lastError = nil
    }

    // MARK: the connection

    /// The URI of the default connection when neither `-c` nor
    /// `VIRSH_DEFAULT_CONNECT_URI` nor `LIBVIRT_DEFAULT_URI` says
    /// otherwise: the embedded driver at a per-user root,
    /// `${XDG_STATE_HOME:-$HOME/.local/state}/local-migration`.
    static var defaultURI: String {
        let env = ProcessInfo.processInfo.environment
        let state: String
        if let x = env["XDG_STATE_HOME"], x.hasPrefix("/") {
            state = x
        } else {
            state = (env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.local/state"
        }
        return "qemu:///embed?root=" + state + "/local-migration"
    }

    /// The URI a command connects to.
    var effectiveURI: String {
        let env = ProcessInfo.processInfo.environment
        for candidate in [connectURI, env["VIRSH_DEFAULT_CONNECT_URI"], env["LIBVIRT_DEFAULT_URI"]] {
            if let c = candidate, !c.isEmpty { return c }
        }
        return Self.defaultURI
    }

    /// Connects (again) (`virshReconnect`).
    @discardableResult
    func reconnect() async -> Bool {
        if let old = conn {
            conn = nil
            await OpenConnections.close(old)
        }
        do {
            conn = try await OpenConnections.open(effectiveURI, readonly: readonly)
            return true
        } catch {
            self.error("failed to connect to the hypervisor")
            save(error)
            return false
        }
    }

    /// The connection, opened on first use (`virshConnectionHandler`).
    func connection() async -> (any VirshConnection)? {
        if conn == nil {
            let ok = await reconnect()
            if !ok { return nil }
        }
        return conn
    }

    /// The connection of a command that ran `connection()` first.
    var connected: any VirshConnection {
        get throws(VirshError) {
            guard let conn else { throw VirshError(code: .invalidConn, message: "no valid connection") }
            return conn
        }
    }

    // MARK: running commands

    /// Runs parsed commands one after the other; the result is the last
    /// one's (`vshCommandRun`).
    func run(_ commands: [ParsedCommand]) async -> Bool {
        var ok = true
        for cmd in commands {
            let start = DispatchTime.now()
            var usable = !cmd.command.needsConnection
            if !usable { usable = await connection() != nil }
            ok = usable ? await cmd.command.run(cmd, self) : false
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1_000_000
            if !ok { reportError() }
            if quitRequested { return ok }
            if timing {
                print("\n(Time: \(String(format: "%.3f", elapsed)) ms)\n\n")
            } else {
                printExtra("\n")
            }
        }
        return ok
    }

    /// Closes every connection this process opened (running their close
    /// callbacks), as the process ends.
    func shutdown() async {
        conn = nil
        await OpenConnections.closeAllAtExit()
    }
}
