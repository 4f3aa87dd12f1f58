import Foundation

/// virsh's program: global options, then one command line (several
/// commands separated by `;`), or the interactive shell.
///
/// libvirt: `main`, `virshParseArgv`, `virshInit`, `virshDeinit`
/// (tools/virsh.c).
@MainActor
public enum VirshMain {
    static let version = "9.0.0"

    /// The program: SIGINT and SIGTERM handled, then `run` on a fresh
    /// control; the result is the exit status.
    ///
    /// libvirt: `main` (tools/virsh.c).
    public static func main(arguments: [String]) async -> Int32 {
        Signals.install()
        return await run(Control(), arguments)
    }

    /// Runs virsh; the result is the exit status.
    static func run(_ ctl: Control, _ argv: [String]) async -> Int32 {
        let rest: ArraySlice<String>
        switch GlobalOptions.parse(ctl, argv) {
        case .exit(let code): return code
        case .commands(let r): rest = r
        }

        var commands: [ParsedCommand] = []
        if rest.isEmpty {
            ctl.interactive = true
        } else {
            let parser = CommandParser(ctl: ctl)
            let parsed: [ParsedCommand]?
            if rest.count == 1, let only = rest.first {
                var tokens = StringTokens(only)
                parsed = parser.parse(&tokens)
            } else {
                var tokens = ArgvTokens(args: rest)
                parsed = parser.parse(&tokens)
            }
            guard let parsed else { return 1 }
            commands = parsed
        }

        // A connection named with -c must open before anything runs; the
        // default one opens when a command first needs it.
        if ctl.connectURI != nil {
            let ok = await ctl.reconnect()
            if !ok {
                ctl.reportError()
                await ctl.shutdown()
                return 1
            }
        }

        var ok = true
        if ctl.interactive {
            await shell(ctl)
        } else {
            ok = await ctl.run(commands)
        }
        await ctl.shutdown()
        return ok ? 0 : 1
    }

    /// The interactive shell: one command line per input line.
    private static func shell(_ ctl: Control) async {
        if !ctl.quiet {
            ctl.print("Welcome to virsh, the virtualization interactive terminal.\n\n")
            ctl.print("Type:  'help' for help with commands\n       'quit' to quit\n\n")
        }
        let parser = CommandParser(ctl: ctl)
        while !ctl.quitRequested {
            ctl.print(ctl.readonly ? "virsh > " : "virsh # ")
            guard let line = readLine(strippingNewline: true) else {
                ctl.print("\n")
                return
            }
            guard !line.isEmpty else { continue }
            var tokens = StringTokens(line)
            if let cmds = parser.parse(&tokens) {
                _ = await ctl.run(cmds)
            }
        }
    }

    /// `virsh -h`.
    static func usage() -> String {
        var s = """

        virsh [options]... [<command_string>]
        virsh [options]... <command> [args...]

          options:
            -c | --connect=URI      hypervisor connection URI
            -d | --debug=NUM        debug level [0-4]
            -e | --escape <char>    set escape sequence for console
            -h | --help             this help
            -k | --keepalive-interval=NUM
                                    keepalive interval in seconds, 0 for disable
            -K | --keepalive-count=NUM
                                    number of possible missed keepalive messages
            -l | --log=FILE         output logging to file
            -q | --quiet            quiet mode
            -r | --readonly         connect readonly
            -t | --timing           print timing information
            -v                      short version
            -V                      long version
                 --version[=TYPE]   version, TYPE is short or long (default short)
          commands (non interactive mode):


        """
        for group in CommandGroup.allCases {
            s += " \(group.rawValue) (help keyword '\(group.keyword)')\n"
            for c in Commands.all where c.group == group {
                s += "    " + c.name.padding(30) + " " + c.help + "\n"
            }
            s += "\n"
        }
        s += "\n  (specify help <group> for details about the commands in the group)\n"
        s += "\n  (specify help <command> for details about the command)\n\n"
        s += """
          connection:
            -c URI, else $VIRSH_DEFAULT_CONNECT_URI, else $LIBVIRT_DEFAULT_URI,
            else the embedded QEMU driver at a per-user root:
              qemu:///embed?root=${XDG_STATE_HOME:-$HOME/.local/state}/local-migration
              (now: \(Control.defaultURI))
            qemu:///embed?root=DIR runs the driver inside virsh (VMs outlive virsh;
            the next command reconnects to them); any other URI goes through
            libvirt's client library (qemu:///system, test:///default, ...).


        """
        return s
    }

    /// `virsh -V`.
    static func longVersion() -> String {
        """
        Virsh command line tool of libvirt \(version)
        See web site at https://libvirt.org/

        Compiled with support for:
         Hypervisors: QEMU/KVM (embedded, with local migration) and every driver of libvirt's client library
         Networking: Remote
         Storage:
         Miscellaneous: Local migration (VIR_MIGRATE_LOCAL)

        """
    }
}

extension String {
    /// Left-aligned in `width` columns (printf's `%-Ns`).
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

/// virsh's global options (`getopt_long` with "+:c:d:e:hk:K:l:qrtvV"):
/// they stop at the first argument that is not an option, which starts
/// the command.
@MainActor
enum GlobalOptions {
    enum Outcome {
        case exit(Int32)
        case commands(ArraySlice<String>)
    }

    private static let long: [(name: String, short: Character, arg: Arg)] = [
        ("connect", "c", .required), ("debug", "d", .required), ("escape", "e", .required), ("help", "h", .none),
        ("keepalive-interval", "k", .required), ("keepalive-count", "K", .required), ("log", "l", .required),
        ("quiet", "q", .none), ("readonly", "r", .none), ("timing", "t", .none), ("version", "v", .optional),
    ]
    private enum Arg { case none, required, optional }
    private static let shortWithArg: Set<Character> = ["c", "d", "e", "k", "K", "l"]
    private static let shortFlags: Set<Character> = ["h", "q", "r", "t", "v", "V"]

    static func parse(_ ctl: Control, _ argv: [String]) -> Outcome {
        var i = 1
        while i < argv.count {
            let a = argv[i]
            if a == "--" { i += 1; break }
            if a.hasPrefix("--") {
                var name = String(a.dropFirst(2))
                var value: String?
                if let eq = name.firstIndex(of: "=") {
                    value = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                let exact = long.filter { $0.name == name }
                let matches = exact.isEmpty ? long.filter { $0.name.hasPrefix(name) } : exact
                guard matches.count == 1, let opt = matches.first else {
                    ctl.error("unsupported option '\(a)'. See --help.")
                    return .exit(1)
                }
                switch opt.arg {
                case .none:
                    if value != nil {
                        ctl.error("unsupported option '-\(opt.short)'. See --help.")
                        return .exit(1)
                    }
                case .required:
                    if value == nil {
                        guard i + 1 < argv.count else {
                            ctl.error("option '-\(opt.short)'/'--\(opt.name)' requires an argument")
                            return .exit(1)
                        }
                        i += 1
                        value = argv[i]
                    }
                case .optional:
                    break
                }
                if let code = apply(ctl, opt.short, value, longName: opt.name) { return .exit(code) }
                i += 1
                continue
            }
            guard a.hasPrefix("-"), a.count > 1 else { break }
            var chars = Substring(a.dropFirst())
            while let c = chars.first {
                chars = chars.dropFirst()
                if shortWithArg.contains(c) {
                    var value = String(chars)
                    if value.isEmpty {
                        guard i + 1 < argv.count else {
                            if let l = long.first(where: { $0.short == c }) {
                                ctl.error("option '-\(c)'/'--\(l.name)' requires an argument")
                            } else {
                                ctl.error("option '-\(c)' requires an argument")
                            }
                            return .exit(1)
                        }
                        i += 1
                        value = argv[i]
                    }
                    if let code = apply(ctl, c, value, longName: nil) { return .exit(code) }
                    break
                } else if shortFlags.contains(c) {
                    if let code = apply(ctl, c, nil, longName: nil) { return .exit(code) }
                } else {
                    ctl.error("unsupported option '-\(c)'. See --help.")
                    return .exit(1)
                }
            }
            i += 1
        }
        return .commands(argv[min(i, argv.count)...])
    }

    /// Acts on one option; a result means exit with it.
    private static func apply(_ ctl: Control, _ c: Character, _ value: String?, longName: String?) -> Int32? {
        let shown = { (short: String, long: String) in longName == nil ? short : long }
        switch c {
        case "c":
            ctl.connectURI = value
        case "d":
            guard let v = value, let level = NumberParsing.int32(v) else {
                ctl.error("option \(shown("-d", "--debug")) takes a numeric argument")
                return 1
            }
            if level < 0 || level > 4 {
                ctl.error("ignoring debug level \(level) out of range [0-4]")
            }
        case "e":
            let v = Array((value ?? "").utf8)
            let allowed = { (b: UInt8) in (0x61...0x7A).contains(b) || (0x40...0x5F).contains(b) }
            guard (v.count == 2 && v[0] == 0x5E && allowed(v[1])) || (v.count == 1 && v[0] != 0x5E) else {
                ctl.error("Invalid string '\(value ?? "")' for escape sequence")
                return 1
            }
            ctl.escapeChar = value ?? "^]"
        case "k", "K":
            let name = c == "k" ? shown("-k", "--keepalive-interval") : shown("-K", "--keepalive-count")
            guard let v = value, let n = NumberParsing.int32(v) else {
                ctl.error("Invalid value for option \(name)")
                return 1
            }
            if n < 0 {
                ctl.error("option \(name) requires a positive integer argument")
                return 1
            }
        case "l":
            ctl.error("logging to a file (-l/--log) is not supported by this virsh")
            return 1
        case "h":
            ctl.print(VirshMain.usage())
            return 0
        case "q":
            ctl.quiet = true
        case "r":
            ctl.readonly = true
        case "t":
            ctl.timing = true
        case "v":
            if value != "long" {
                ctl.print(VirshMain.version + "\n")
                return 0
            }
            ctl.print(VirshMain.longVersion())
            return 0
        case "V":
            ctl.print(VirshMain.longVersion())
            return 0
        default:
            ctl.error("unknown option")
            return 1
        }
        return nil
    }
}
