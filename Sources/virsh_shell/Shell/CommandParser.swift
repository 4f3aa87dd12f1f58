/// A token of a command line.
enum Token: Equatable {
    case arg(String)
    /// `;` or a new line: the next command starts.
    case commandEnd
    case end
    /// A syntax error, already reported.
    case error

    var isArg: Bool {
        if case .arg = self { return true }
        return false
    }
}

/// Where tokens come from: the program's arguments, or one string (a
/// single argument, or a line typed in the interactive shell).
protocol TokenSource {
    @MainActor mutating func next(_ ctl: Control, report: Bool) -> Token
}

/// Arguments as the shell split them; each is one token.
///
/// libvirt: `vshCommandArgvGetArg`.
struct ArgvTokens: TokenSource {
    var args: ArraySlice<String>

    mutating func next(_ ctl: Control, report: Bool) -> Token {
        guard let a = args.popFirst() else { return .end }
        return .arg(a)
    }
}

/// A command string, split the way virsh splits it: blanks separate,
/// `'...'` and `"..."` quote, `\` escapes outside single quotes, `;` and
/// new lines end a command, `#` starts a comment.
///
/// libvirt: `vshCommandStringGetArg`.
struct StringTokens: TokenSource {
    private let bytes: [UInt8]
    private var pos = 0

    init(_ text: String) {
        bytes = Array(text.utf8)
    }

    private func at(_ i: Int) -> UInt8 { i < bytes.count ? bytes[i] : 0 }

    mutating func next(_ ctl: Control, report: Bool) -> Token {
        var p = pos
        while at(p) == 0x20 || at(p) == 0x09 || (at(p) == 0x5C && at(p + 1) == 0x0A) {
            p += at(p) == 0x5C ? 2 : 1
        }
        if at(p) == 0 { pos = p; return .end }
        if at(p) == 0x3B || at(p) == 0x0A {
            pos = p + 1
            return .commandEnd
        }
        if at(p) == 0x23 {
            while at(p) != 0 && at(p) != 0x0A { p += 1 }
            pos = at(p) == 0 ? p : p + 1
            return .commandEnd
        }
        var out: [UInt8] = []
        var single = false, double = false
        while at(p) != 0 {
            let c = at(p)
            if !single && !double && (c == 0x20 || c == 0x09 || c == 0x3B || c == 0x0A) { break }
            if !double && c == 0x27 {
                single.toggle()
                p += 1
                continue
            } else if !single && c == 0x5C {
                p += 1
                if at(p) == 0 {
                    if report { ctl.error("dangling \\") }
                    return .error
                } else if at(p) == 0x0A {
                    p += 1
                    continue
                }
            } else if !single && c == 0x22 {
                double.toggle()
                p += 1
                continue
            }
            out.append(at(p))
            p += 1
        }
        if double && report {
            ctl.error("missing \"")
            return .error
        }
        pos = p
        return .arg(String(decoding: out, as: UTF8.self))
    }
}

/// Turns tokens into commands with their options, reporting errors in
/// virsh's words; nothing runs when any command of the line is wrong.
///
/// libvirt: `vshCommandParse`, `vshCmddefGetOption`, `vshCmddefGetData`,
/// `vshCommandCheckOpts`.
@MainActor
struct CommandParser {
    /// How many options a command can have: the parser keeps one bit per
    /// option (aliases included) in a `UInt64`, as virsh does in its
    /// `uint64_t` bitmasks. `CommandTable` checks every command against it.
    nonisolated static let maxOptions = UInt64.bitWidth

    let ctl: Control

    /// The commands of one command line, `nil` (errors reported) when any
    /// of them is wrong. The command table is checked first, once.
    ///
    /// libvirt: `vshCommandParse`.
    func parse(_ source: inout some TokenSource) -> [ParsedCommand]? {
        CommandTable.checked
        var commands: [ParsedCommand] = []
        while true {
            var command: (any VirshCommand.Type)?
            var values: [(name: String, value: String?)] = []
            var needArg: UInt64 = 0
            var required: UInt64 = 0
            var seen: UInt64 = 0
            var dataOnly = false
            var tk: Token

            tokens: while true {
                tk = source.next(ctl, report: true)
                if tk == .error { return nil }
                guard case .arg(let data) = tk else { break }

                guard let cmd = command else {
                    if data.hasPrefix("#") {
                        repeat { tk = source.next(ctl, report: false) } while tk.isArg
                        break tokens
                    }
                    guard let c = Commands.find(data) else {
                        ctl.error("unknown command: '\(data)'")
                        return nil
                    }
                    command = c
                    (needArg, required) = Self.masks(c)
                    continue
                }
                let opts = cmd.options
                let bytes = Array(data.utf8)
                if !dataOnly && bytes.count > 2 && bytes[0] == 0x2D && bytes[1] == 0x2D && Self.isAlnum(bytes[2]) {
                    var optName = String(data.dropFirst(2))
                    var optValue: String?
                    if let eq = optName.firstIndex(of: "=") {
                        optValue = String(optName[optName.index(after: eq)...])
                        optName = String(optName[..<eq])
                    }
                    if optName == "help" {
                        values.append(("help", nil))
                        continue
                    }
                    guard let (index, def) = lookupOption(cmd, optName, &optValue, &seen) else {
                        if cmd.name == "help" { continue }
                        return nil
                    }
                    if def.takesValue {
                        var value: String
                        if let optValue {
                            value = optValue
                        } else {
                            tk = source.next(ctl, report: true)
                            if tk == .error { return nil }
                            guard case .arg(let v) = tk else {
                                ctl.error("expected syntax: --\(def.name) <\(def.kind == .int ? "number" : "string")>")
                                return nil
                            }
                            value = v
                        }
                        if def.kind != .argv { needArg &= ~(1 << UInt64(index)) }
                        values.append((def.name, value))
                    } else {
                        if optValue != nil {
                            ctl.error("invalid '=' after option --\(def.name)")
                            return nil
                        }
                        values.append((def.name, nil))
                    }
                } else if !dataOnly && data == "--" {
                    dataOnly = true
                } else {
                    guard needArg != 0 else {
                        if cmd.name == "help" { continue }
                        ctl.error("unexpected data '\(data)'")
                        return nil
                    }
                    let i = needArg.trailingZeroBitCount
                    let def = opts[i]
                    if def.kind != .argv { needArg &= ~(1 << UInt64(i)) }
                    seen |= 1 << UInt64(i)
                    values.append((def.name, data))
                }
            }

            if let cmd = command {
                if values.contains(where: { $0.name == "help" }) {
                    commands.append(ParsedCommand(command: HelpCommand.self, values: [("command", cmd.name)]))
                } else {
                    let missing = required & ~seen
                    if missing != 0 {
                        for (i, def) in cmd.options.enumerated() where missing & (1 << UInt64(i)) != 0 {
                            if def.kind == .data || def.kind == .argv {
                                ctl.error("command '\(cmd.name)' requires <\(def.name)> option")
                            } else {
                                ctl.error("command '\(cmd.name)' requires --\(def.name) option")
                            }
                        }
                        return nil
                    }
                    commands.append(ParsedCommand(command: cmd, values: values))
                }
            }
            if tk == .end { break }
        }
        return commands
    }

    /// Finds `--name` among a command's options, resolving aliases.
    private func lookupOption(_ cmd: any VirshCommand.Type, _ name: String, _ value: inout String?,
                              _ seen: inout UInt64) -> (Int, OptionDef)? {
        var name = name
        let opts = cmd.options
        var aliasesFollowed = 0
        while aliasesFollowed < 4 {
            guard let i = opts.firstIndex(where: { $0.name == name }) else { break }
            let def = opts[i]
            if case .alias(let target) = def.kind {
                aliasesFollowed += 1
                if let eq = target.firstIndex(of: "=") {
                    if value != nil {
                        if cmd.name != "help" { ctl.error("invalid '=' after option --\(def.name)") }
                        return nil
                    }
                    value = String(target[target.index(after: eq)...])
                    name = String(target[..<eq])
                } else {
                    name = target
                }
                continue
            }
            if seen & (1 << UInt64(i)) != 0 && def.kind != .argv {
                ctl.error("option --\(name) already seen")
                return nil
            }
            seen |= 1 << UInt64(i)
            return (i, def)
        }
        if cmd.name != "help" {
            ctl.error("command '\(cmd.name)' doesn't support option --\(name)")
        }
        return nil
    }

    /// Which options can be filled positionally, and which are required.
    /// An option beyond the bitmask would silently get no bit (a shift by
    /// 64 or more gives 0): the command table never has one.
    ///
    /// libvirt: `vshCmddefOptParse`.
    nonisolated static func masks(_ cmd: any VirshCommand.Type) -> (needArg: UInt64, required: UInt64) {
        let opts = cmd.options
        precondition(opts.count <= maxOptions,
                     "command '\(cmd.name)' has too many options (\(opts.count); the parser's bitmask holds \(maxOptions))")
        var need: UInt64 = 0, req: UInt64 = 0
        for (i, o) in opts.enumerated() where o.takesValue {
            if !o.namedOnly { need |= 1 << UInt64(i) }
            if o.required { req |= 1 << UInt64(i) }
        }
        return (need, req)
    }

    private static func isAlnum(_ c: UInt8) -> Bool {
        (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) || (0x61...0x7A).contains(c)
    }
}
