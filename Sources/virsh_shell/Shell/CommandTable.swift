/// The invariants of virsh's command table, which the parser relies on:
/// one bit per option in its bitmasks, options found by name, aliases that
/// lead to an option, positional options filled in a sensible order. The
/// parser checks the whole table once, before its first command line; a
/// table that breaks them is a programming error and stops virsh with
/// every problem found. The messages are libvirt's where libvirt has one.
///
/// libvirt: `vshCmddefCheckInternals`, `cmdSelfTest` (tools/vsh.c).
enum CommandTable {
    /// Checked once per process (the parser reads it before parsing).
    static let checked: Void = {
        let found = problems(Commands.all)
        precondition(found.isEmpty, "virsh's command table is inconsistent:\n" + found.joined(separator: "\n"))
    }()

    /// Every command's problems, and command names declared twice.
    ///
    /// libvirt: `cmdSelfTest`.
    static func problems(_ commands: [any VirshCommand.Type]) -> [String] {
        var found: [String] = []
        var names = Set<String>()
        for c in commands {
            if !names.insert(c.name).inserted {
                found.append("command '\(c.name)' is declared twice")
            }
            found += problems(c)
        }
        return found
    }

    /// One command's problems.
    ///
    /// libvirt: `vshCmddefCheckInternals`.
    static func problems(_ command: any VirshCommand.Type) -> [String] {
        problems(command: command.name, help: command.help, options: command.options)
    }

    /// The problems of a command declared with these name, help and options.
    ///
    /// libvirt: `vshCmddefCheckInternals`.
    static func problems(command name: String, help: String, options: [OptionDef]) -> [String] {
        var found: [String] = []
        if help.isEmpty {
            found.append("command '\(name)' lacks help")
        }
        if options.count > CommandParser.maxOptions {
            found.append("command '\(name)' has too many options "
                + "(\(options.count); the parser's bitmask holds \(CommandParser.maxOptions))")
        }
        var seenOptional = false
        var names = Set<String>()
        for (i, opt) in options.enumerated() {
            if !names.insert(opt.name).inserted {
                found.append("parameter '\(opt.name)' of command '\(name)' is declared twice")
            }
            if opt.name == "help" {
                found.append("parameter 'help' of command '\(name)' is the parser's own (--help)")
            } else if !Self.canBeTyped(opt.name) {
                found.append("parameter '\(opt.name)' of command '\(name)' cannot be given as --\(opt.name)")
            }
            switch opt.kind {
            case .bool, .string:
                if opt.required {
                    // Neither a flag nor a string option can be mandatory.
                    found.append("parameter '\(opt.name)' of command '\(name)' misused VSH_OFLAG_REQ")
                }
                seenOptional = true
            case .alias(let target):
                if opt.required || opt.namedOnly || opt.emptyOK {
                    found.append("parameter '\(opt.name)' of command '\(name)' has incorrect alias option")
                }
                let eq = target.firstIndex(of: "=")
                let targetName = eq.map { String(target[..<$0]) } ?? target
                // The option it stands for, later in the table, not an alias.
                let replacement = options[(i + 1)...].first { o in
                    if case .alias = o.kind { return false }
                    return o.name == targetName
                }
                if let replacement {
                    if eq != nil && replacement.kind == .bool {
                        // "name=value" gives a value: the option must take one.
                        found.append("alias '\(opt.name)' of command '\(name)' has mismatched alias type")
                    }
                } else {
                    found.append("alias '\(opt.name)' of command '\(name)' has missing alias option")
                }
            case .argv:
                if i != options.count - 1 {
                    found.append("parameter '\(opt.name)' of command '\(name)' must be listed last")
                }
            case .data:
                if !opt.required {
                    found.append("parameter '\(opt.name)' of command '\(name)' must use VSH_OFLAG_REQ flag")
                }
                if seenOptional {
                    found.append("parameter '\(opt.name)' of command '\(name)' must be listed before optional parameters")
                }
            case .int:
                if !opt.required {
                    seenOptional = true
                } else if seenOptional {
                    found.append("parameter '\(opt.name)' of command '\(name)' must be listed before optional parameters")
                }
            }
        }
        return found
    }

    /// Whether `--name` reaches the option: the parser takes an argument
    /// as an option when an ASCII letter or digit follows `--`, and cuts
    /// the name at the first `=`.
    private static func canBeTyped(_ name: String) -> Bool {
        guard let first = name.utf8.first else { return false }
        let alnum = (0x30...0x39).contains(first) || (0x41...0x5A).contains(first) || (0x61...0x7A).contains(first)
        return alnum && !name.contains("=")
    }
}
