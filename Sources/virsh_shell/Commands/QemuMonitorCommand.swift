import libvirt_abi
import virutil

/// `qemu-monitor-command`: passes a command to the domain's QEMU monitor
/// and prints QEMU's answer. QMP by default: the words are one JSON object
/// as they are, or else the first word is the command's name and the rest
/// its arguments (one JSON object, or `"key":value` members to put in
/// one). `--hmp` sends the words as one human monitor command line.
/// `--pretty` reformats the JSON reply, `--return-value` prints only its
/// `return` member; `--pass-fds N,M` passes this process's descriptors
/// along (libvirt's QEMU driver takes one at most).
///
/// libvirt: `cmdQemuMonitorCommand`, `cmdQemuMonitorCommandQMPWrap`,
/// `cmdQemuMonitorCommandConcatCmd`, `virshFetchPassFdsList`
/// (tools/virsh-domain.c).
enum QemuMonitorCommandCommand: VirshCommand {
    static let name = "qemu-monitor-command"
    static let group = CommandGroup.domain
    static let help = "QEMU Monitor Command"
    static let description = "QEMU Monitor Command"
    static let options: [OptionDef] = [
        .domainFull,
        .bool("hmp", "command is in human monitor protocol"),
        .bool("pretty", "pretty-print any qemu monitor protocol output"),
        .bool("return-value", "extract the value of the 'return' key from the returned string"),
        .string("pass-fds", "pass file descriptors N,M,... along with the command", namedOnly: true),
        OptionDef(name: "cmd", kind: .argv, required: true, help: "command"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard cmd.exclusive("hmp", "pretty", ctl), cmd.exclusive("hmp", "return-value", ctl) else { return false }
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        let words = cmd.argv("cmd")
        let hmp = cmd.bool("hmp")
        let monitorCommand: String
        if hmp {
            monitorCommand = words.joined(separator: " ")
        } else {
            switch wrap(words) {
            case .success(let text):
                monitorCommand = text
            case .failure(let failure):
                if let message = failure.message { ctl.error(message) }
                ctl.save(failure.cause)
                return false
            }
        }
        guard case .success(let fds) = passFDs(cmd, ctl) else { return false }

        let result: String
        do {
            result = try await dom.qemuMonitorCommand(monitorCommand, hmp: hmp, fds: fds)
        } catch {
            ctl.save(error)
            return false
        }

        let pretty = cmd.bool("pretty"), returnValue = cmd.bool("return-value")
        var reply: VirJSON?
        if returnValue || pretty {
            do {
                reply = try VirJSON.parse(result)
            } catch {
                // Not JSON: printed as it is, unless its return is wanted.
                if returnValue {
                    ctl.error("failed to parse JSON returned by qemu")
                    ctl.save(VirshError(error))
                    return false
                }
            }
        }
        guard let reply else {
            ctl.print(result + "\n")
            return true
        }
        var shown = reply
        if returnValue {
            guard let value = reply["return"] else {
                ctl.error("'return' member missing")
                return false
            }
            shown = value
        }
        do {
            ctl.print(trimmingSpaces(try shown.format(pretty: pretty)))
        } catch {
            ctl.save(VirshError(error))
            return false
        }
        return true
    }

    /// Why the words could not be made a QMP command: virsh's message, if
    /// it has one, and the JSON error behind it (reported after it).
    struct WrapFailure: Error {
        let message: String?
        let cause: VirshError
    }

    /// `text` parsed, when it is a JSON object. Any other outcome is no
    /// error to report: virsh resets it and wraps the words instead.
    static func object(_ text: String) -> VirJSON? {
        do {
            let v = try VirJSON.parse(text)
            return v.isObject ? v : nil
        } catch {
            return nil
        }
    }

    /// The QMP command the words stand for: a JSON object given whole is
    /// passed on as typed; otherwise `{"execute":FIRST}` with `arguments`
    /// from the rest, which is a JSON object, or members joined with
    /// commas into one.
    ///
    /// libvirt: `cmdQemuMonitorCommandQMPWrap`.
    static func wrap(_ words: [String]) -> Result<String, WrapFailure> {
        let full = words.joined(separator: " ")
        if object(full) != nil { return .success(full) }
        let name = words.first ?? ""
        let rest = Array(words.dropFirst())
        var command = VirJSON.object([VirJSON.Member("execute", .string(name))])
        // No words after the name: no arguments (libvirt's buffer stays NULL).
        if !rest.isEmpty {
            let joined = rest.joined(separator: " ")
            var arguments: VirJSON
            if let given = object(joined) {
                arguments = given
            } else {
                do {
                    arguments = try VirJSON.parse("{" + rest.joined(separator: ",") + "}")
                } catch {
                    return .failure(WrapFailure(message: "failed to wrap arguments '\(joined)' into a QMP command wrapper",
                                                cause: VirshError(error)))
                }
            }
            command = .object([VirJSON.Member("execute", .string(name)), VirJSON.Member("arguments", arguments)])
        }
        do {
            return .success(try command.format())
        } catch {
            return .failure(WrapFailure(message: nil, cause: VirshError(error)))
        }
    }

    /// The descriptors of `--pass-fds N,M,...`: `nil` without the option
    /// (or with an empty one), the numbers otherwise.
    ///
    /// libvirt: `virshFetchPassFdsList`.
    @MainActor static func passFDs(_ cmd: ParsedCommand, _ ctl: Control) -> Result<[Int32]?, CommandFailure> {
        guard let list = cmd.stringQuiet("pass-fds") else { return .success(nil) }
        var fds: [Int32] = []
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            guard let fd = NumberParsing.int32(String(item)) else {
                ctl.error("Unable to parse FD number '\(item)'")
                return .failure(CommandFailure())
            }
            fds.append(fd)
        }
        return .success(fds)
    }

    /// Without white space at either end (libvirt: `virTrimSpaces`, which
    /// takes `c_isspace`'s six characters).
    static func trimmingSpaces(_ text: String) -> String {
        let space: Set<Unicode.Scalar> = [" ", "\t", "\n", "\u{0B}", "\u{0C}", "\r"]
        let scalars = Array(text.unicodeScalars)
        var start = 0, end = scalars.count
        while start < end, space.contains(scalars[start]) { start += 1 }
        while end > start, space.contains(scalars[end - 1]) { end -= 1 }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[start..<end])
        return String(out)
    }
}
