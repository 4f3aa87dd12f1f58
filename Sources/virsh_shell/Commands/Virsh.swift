/// `help`: every command, a group's, or one command's manual.
///
/// libvirt: `cmdHelp`, `vshCmddefHelp`, `vshCmdGrpHelp` (tools/vsh.c).
enum HelpCommand: VirshCommand {
    static let name = "help"
    static let group = CommandGroup.virsh
    static let help = "print help"
    static let description = "Prints global help, command specific help, or help for a\n    group of related commands"
    static let options: [OptionDef] = [
        .string("command", "Prints global help, command specific help, or help for a group of related commands"),
    ]
    static let needsConnection = false

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let name = cmd.stringQuiet("command") else {
            var s = "Grouped commands:\n\n"
            for g in CommandGroup.allCases {
                s += groupHelp(g) + "\n"
            }
            ctl.print(s)
            return true
        }
        if let c = Commands.find(name) {
            ctl.print(manual(c))
            return true
        }
        if let g = CommandGroup.allCases.first(where: { $0.rawValue == name || $0.keyword == name }) {
            ctl.print(groupHelp(g))
            return true
        }
        ctl.error("command or command group '\(name)' doesn't exist")
        return false
    }

    static func groupHelp(_ g: CommandGroup) -> String {
        var s = " \(g.rawValue) (help keyword '\(g.keyword)'):\n"
        for c in Commands.all where c.group == g {
            s += "    " + c.name.padding(30) + " " + c.help + "\n"
        }
        return s
    }

    /// One command's manual (`vshCmddefHelp`).
    static func manual(_ c: any VirshCommand.Type) -> String {
        var s = "  NAME\n    \(c.name) - \(c.help)\n\n  SYNOPSIS\n    \(c.name)"
        var shortopt = false
        for o in c.options {
            switch o.kind {
            case .bool: s += " [--\(o.name)]"
            case .int:
                s += o.required ? " <\(o.name)>" : " [--\(o.name) <number>]"
                if !o.namedOnly { shortopt = true }
            case .string:
                s += " [--\(o.name) <string>]"
                if !o.namedOnly { shortopt = true }
            case .data:
                s += o.required ? " <\(o.name)>" : " [<\(o.name)>]"
                if !o.namedOnly { shortopt = true }
            case .argv:
                if shortopt {
                    s += o.required ? " {[--\(o.name)] <string>}..." : " [[--\(o.name)] <string>]..."
                } else {
                    s += o.required ? " <\(o.name)>..." : " [<\(o.name)>]..."
                }
            case .alias: continue
            }
        }
        s += "\n"
        if !c.description.isEmpty {
            s += "\n  DESCRIPTION\n    \(c.description)\n"
        }
        if !c.options.isEmpty {
            s += "\n  OPTIONS\n"
            for o in c.options {
                let label: String
                switch o.kind {
                case .bool: label = "--\(o.name)"
                case .int: label = o.required ? "[--\(o.name)] <number>" : "--\(o.name) <number>"
                case .string: label = "--\(o.name) <string>"
                case .data: label = "[--\(o.name)] <string>"
                case .argv: label = shortopt ? "[--\(o.name)] <string>" : "<\(o.name)>"
                case .alias: continue
                }
                s += "    " + label.padding(15) + "  " + o.help + "\n"
            }
        }
        return s + "\n"
    }
}

/// `connect`: (re)connects, to another URI if given.
///
/// libvirt: `cmdConnect` (tools/virsh.c).
enum ConnectCommand: VirshCommand {
    static let name = "connect"
    static let group = CommandGroup.virsh
    static let help = "(re)connect to hypervisor"
    static let description = "Connect to local hypervisor. This is built-in command after shell start up."
    static let options: [OptionDef] = [
        OptionDef(name: "name", kind: .string, emptyOK: true, help: "hypervisor connection URI"),
        .bool("readonly", "read-only connection"),
    ]
    static let needsConnection = false

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard case .success(let name) = cmd.string("name", ctl) else { return false }
        if let name { ctl.connectURI = name }
        ctl.readonly = cmd.bool("readonly")
        return await ctl.reconnect()
    }
}

/// `quit`: leaves the interactive shell.
enum QuitCommand: VirshCommand {
    static let name = "quit"
    static let group = CommandGroup.virsh
    static let help = "quit this interactive terminal"
    static let description = ""
    static let needsConnection = false

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        ctl.quitRequested = true
        return true
    }
}

/// `exit`: leaves the interactive shell.
enum ExitCommand: VirshCommand {
    static let name = "exit"
    static let group = CommandGroup.virsh
    static let help = "quit this interactive terminal"
    static let description = ""
    static let needsConnection = false

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        ctl.quitRequested = true
        return true
    }
}
