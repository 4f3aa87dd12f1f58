import Foundation
import Glibc

/// `edit`: the domain's persistent XML in `$VISUAL`/`$EDITOR`, defined
/// again once changed (validated against libvirt's schema unless
/// `--skip-validate`); on a terminal, a definition that fails can be edited
/// again.
///
/// libvirt: `cmdEdit` (tools/virsh-domain.c) over tools/virsh-edit.c,
/// `vshAskReedit` (tools/vsh.c).
enum EditCommand: VirshCommand {
    static let name = "edit"
    static let group = CommandGroup.domain
    static let help = "edit XML configuration for a domain"
    static let description = "Edit the XML configuration for a domain."
    static let options: [OptionDef] = [
        .domainFull,
        .bool("skip-validate", "skip validation of the XML against the schema"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        var validate = !cmd.bool("skip-validate")
        let conn: any VirshConnection
        var doc: String
        do {
            conn = try ctl.connected
            doc = try await dom.xmlDesc([.secure, .inactive])
        } catch {
            ctl.save(error)
            return false
        }
        guard let file = EditorFile(doc, ctl) else { return false }
        var relaxAvailable = false
        edit: while true {
            relaxAvailable = true
            guard file.runEditor(ctl), let edited = file.readBack(ctl) else { return false }
            if edited == doc {
                ctl.printExtra("Domain '\(dom.name)' XML configuration not changed.\n")
                return true
            }
            redefine: while true {
                var message: String?
                // Did someone else change it meanwhile?
                let reread: String
                do { reread = try await dom.xmlDesc([.secure, .inactive]) } catch {
                    ctl.save(error)
                    return false
                }
                if reread != doc {
                    message = "The XML configuration was changed by another user."
                    doc = reread
                }
                if message == nil {
                    do {
                        let defined = try await conn.defineXML(edited, validate: validate)
                        ctl.printExtra("Domain '\(defined.name)' XML configuration edited.\n")
                        return true
                    } catch {
                        ctl.save(error)
                        message = "Failed."
                    }
                }
                switch askReedit(message ?? "Failed.", relaxAvailable: relaxAvailable, ctl) {
                case "y": continue edit
                case "f": continue redefine
                case "n": return false
                case "i" where relaxAvailable:
                    validate = false
                    relaxAvailable = false
                    continue redefine
                default:
                    ctl.reportError()
                    ctl.error(message ?? "Failed.")
                    return false
                }
            }
        }
    }

    /// On a terminal: the error, then `MSG Try again? [y,n,i,f,?]:` until
    /// one of the answers is typed; without one, no answer (nil).
    ///
    /// libvirt: `vshAskReedit`.
    @MainActor static func askReedit(_ message: String, relaxAvailable: Bool, _ ctl: Control) -> Character? {
        guard isatty(STDIN_FILENO) == 1 else { return nil }
        ctl.reportError()
        var saved = termios()
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { return nil }
        var raw = saved
        cfmakeraw(&raw)
        raw.c_oflag |= tcflag_t(OPOST)
        _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw)
        defer { _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
        while true {
            ctl.print("\r\(message) Try again? \(relaxAvailable ? "[y,n,i,f,?]" : "[y,n,f,?]"): ")
            var byte: UInt8 = 0
            guard read(STDIN_FILENO, &byte, 1) == 1 else { return nil }
            let c = Character(Unicode.Scalar(byte)).lowercased().first ?? " "
            if c == "?" {
                var help = ["", "y - yes, start editor again", "n - no, throw away my changes"]
                if relaxAvailable { help.append("i - turn off validation and try to redefine again") }
                help += ["f - force, try to redefine again", "? - print this help"]
                ctl.print(help.map { $0 + "\r\n" }.joined())
                continue
            }
            if c == "y" || c == "n" || c == "f" || (relaxAvailable && c == "i") {
                ctl.print("\r\n")
                return c
            }
        }
    }
}
