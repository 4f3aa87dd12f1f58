import Testing
@testable import virsh_shell

/// virsh's shell without a binary: the parser on representative command
/// lines (errors in virsh 9.0's words, from tools/vsh.c), every command's
/// option table, and the check on the option names commands read.
@MainActor
struct CommandTableTests {
    // MARK: helpers

    /// Parses one command string, as `virsh 'LINE'` or a line typed in
    /// the interactive shell; the errors are the lines virsh writes on
    /// stderr.
    private func parse(_ line: String) -> (commands: [ParsedCommand]?, errors: [String]) {
        var tokens = StringTokens(line)
        return recording { CommandParser(ctl: $0).parse(&tokens) }
    }

    /// Parses arguments as the shell split them: `virsh ARG...`.
    private func parse(argv: [String]) -> (commands: [ParsedCommand]?, errors: [String]) {
        var tokens = ArgvTokens(args: argv[...])
        return recording { CommandParser(ctl: $0).parse(&tokens) }
    }

    /// Runs `body` on a control whose stderr is recorded.
    private func recording<R>(_ body: (Control) -> R) -> (R, errors: [String]) {
        let ctl = Control()
        var errors: [String] = []
        ctl.recorder = { text, isError in
            if isError { errors.append(text) }
        }
        let result = body(ctl)
        ctl.recorder = nil
        return (result, errors)
    }

    /// One parsed command, as `name` then its options: `--flag` or
    /// `option=value`.
    private func describe(_ cmd: ParsedCommand) -> [String] {
        [cmd.name] + cmd.values.map { v in v.value.map { "\(v.name)=\($0)" } ?? "--\(v.name)" }
    }

    /// The value of a successful read, none for a failed one.
    private func succeeded<T>(_ r: Result<T, CommandFailure>) -> [T] {
        if case .success(let v) = r { return [v] }
        return []
    }

    private func command(_ name: String) throws -> any VirshCommand.Type {
        try #require(Commands.find(name), "no command '\(name)'")
    }

    // MARK: the parser

    /// An argv option takes every word left, and `--cmd` adds to it.
    @Test func argvCollectsTheRestInOrder() throws {
        let (cmds, errors) = parse(argv: ["qemu-monitor-command", "vm", "--hmp", "info", "--cmd", "mem", "status"])
        #expect(errors == [])
        let cmd = try #require(cmds?.first)
        #expect(describe(cmd) == ["qemu-monitor-command", "domain=vm", "--hmp", "cmd=info", "cmd=mem", "cmd=status"])
        #expect(cmd.argv("cmd") == ["info", "mem", "status"])
        #expect(parse(argv: ["qemu-monitor-command", "vm", "--pass-fds"]).errors == ["error: expected syntax: --pass-fds <string>\n"])
        // Named only: a word is never taken for --pass-fds.
        let named = try #require(parse(argv: ["qemu-monitor-command", "vm", "3", "x"]).commands?.first)
        #expect(describe(named) == ["qemu-monitor-command", "domain=vm", "cmd=3", "cmd=x"])
    }

    /// virsh's wrapping of words into one QMP command.
    @Test func qmpWrapping() {
        func wrapped(_ words: [String]) -> String? {
            if case .success(let s) = QemuMonitorCommandCommand.wrap(words) { return s }
            return nil
        }
        #expect(wrapped([#"{ "execute" : "query-status" }"#]) == #"{ "execute" : "query-status" }"#, "an object goes as typed")
        #expect(wrapped(["{", #""execute":"x""#, "}"]) == #"{ "execute":"x" }"#)
        #expect(wrapped(["query-status"]) == #"{"execute":"query-status"}"#)
        #expect(wrapped(["[1]"]) == #"{"execute":"[1]"}"#)
        #expect(wrapped(["q", #"{"a": 1}"#]) == #"{"execute":"q","arguments":{"a":1}}"#)
        #expect(wrapped(["q", #""a":1"#, #""b":"c d""#]) == #"{"execute":"q","arguments":{"a":1,"b":"c d"}}"#)
        #expect(wrapped(["q", ""]) == #"{"execute":"q","arguments":{}}"#)
        guard case .failure(let f) = QemuMonitorCommandCommand.wrap(["q", "a", "b"]) else {
            Issue.record("wrapped")
            return
        }
        #expect(f.message == "failed to wrap arguments 'a b' into a QMP command wrapper")
        #expect(f.cause.message.hasPrefix("internal error: cannot parse json {a,b}: lexical error: invalid char in json text.\n"))
        #expect(QemuMonitorCommandCommand.trimmingSpaces(" \t{\n}\n\u{0B}") == "{\n}")
    }

    @Test func optionsWithAndWithoutValues() throws {
        let (cmds, errors) = parse("migrate --live --local --verbose guest qemu:///embed?root=/tmp/x "
                                   + "--timeout 30 --dname=copy --migrateuri= --tunneled")
        #expect(errors == [])
        let cmd = try #require(cmds?.first)
        #expect(cmds?.count == 1)
        #expect(describe(cmd) == ["migrate", "--live", "--local", "--verbose", "domain=guest",
                                  "desturi=qemu:///embed?root=/tmp/x", "timeout=30", "dname=copy",
                                  "migrateuri=", "--tunnelled"])
        #expect(cmd.bool("live") && cmd.bool("local") && cmd.bool("tunnelled"))
        #expect(!cmd.bool("offline") && !cmd.bool("p2p"))
        #expect(cmd.stringQuiet("dname") == "copy")
        #expect(cmd.stringQuiet("migrateuri") == nil)
    }

    @Test func positionalArgumentsFillTheOptionsInTheirOrder() throws {
        // DATA, then a STRING that can be given positionally.
        let shutdown = try #require(parse("shutdown guest acpi").commands?.first)
        #expect(describe(shutdown) == ["shutdown", "domain=guest", "mode=acpi"])
        // --xpath is named only (VSH_OFLAG_REQ_OPT): the word goes to the domain.
        let dumpxml = try #require(parse("dumpxml --xpath /domain/name guest --wrap").commands?.first)
        #expect(describe(dumpxml) == ["dumpxml", "xpath=/domain/name", "domain=guest", "--wrap"])
        // A positional argument after the option was named is the next one.
        let migrate = try #require(parse("migrate --domain guest test:///default").commands?.first)
        #expect(describe(migrate) == ["migrate", "domain=guest", "desturi=test:///default"])
        // After `--` everything is data.
        let dataOnly = try #require(parse("domstate -- --reason").commands?.first)
        #expect(describe(dataOnly) == ["domstate", "domain=--reason"])
    }

    @Test func quotingAndArgvGiveTheSameCommand() throws {
        let fromString = try #require(parse(#"define "my guest.xml" --validate"#).commands?.first)
        let fromArgv = try #require(parse(argv: ["define", "my guest.xml", "--validate"]).commands?.first)
        #expect(describe(fromString) == ["define", "file=my guest.xml", "--validate"])
        #expect(describe(fromArgv) == describe(fromString))
        // An empty argument is a value (refused later, when read).
        let empty = try #require(parse(argv: ["domstate", ""]).commands?.first)
        #expect(describe(empty) == ["domstate", "domain="])
    }

    @Test func severalCommandsOnOneLine() throws {
        let (cmds, errors) = parse("domstate a --reason; domid b\ndomname 1 # a comment")
        #expect(errors == [])
        #expect(try #require(cmds).map(describe) == [["domstate", "domain=a", "--reason"], ["domid", "domain=b"],
                                                     ["domname", "domain=1"]])
    }

    @Test func helpOptionBecomesTheHelpCommand() throws {
        let (cmds, errors) = parse("migrate guest --live --help")
        #expect(errors == [])
        #expect(try #require(cmds).map(describe) == [["help", "command=migrate"]])
        // help itself ignores options and data it does not know.
        let help = try #require(parse("help --foo domstate extra").commands?.first)
        #expect(describe(help) == ["help", "command=domstate"])
    }

    /// A wrong command line runs nothing and gets virsh 9.0's message.
    @Test(arguments: [
        // a missing required option: DATA by its name, in the table's order
        ("domstate", ["command 'domstate' requires <domain> option"]),
        ("migrate", ["command 'migrate' requires <domain> option", "command 'migrate' requires <desturi> option"]),
        ("migrate guest", ["command 'migrate' requires <desturi> option"]),
        ("domstate a; domid", ["command 'domid' requires <domain> option"]),
        // an unknown option or command
        ("domstate guest --foo", ["command 'domstate' doesn't support option --foo"]),
        ("list --all --state-foo", ["command 'list' doesn't support option --state-foo"]),
        ("frobnicate guest", ["unknown command: 'frobnicate'"]),
        ("migrate guest --help --nonsense", ["command 'migrate' doesn't support option --nonsense"]),
        // an option given twice, by name, positionally or through an alias
        ("domstate guest --reason --reason", ["option --reason already seen"]),
        ("domstate --domain a --domain b", ["option --domain already seen"]),
        ("domstate a --domain b", ["option --domain already seen"]),
        ("migrate --tunneled --tunnelled guest uri", ["option --tunnelled already seen"]),
        ("undefine --delete-snapshots --delete-storage-volume-snapshots guest",
         ["option --delete-storage-volume-snapshots already seen"]),
        // a value missing, or given to a flag
        ("migrate guest uri --timeout", ["expected syntax: --timeout <number>"]),
        ("migrate guest uri --dname", ["expected syntax: --dname <string>"]),
        ("domstate guest --reason=yes", ["invalid '=' after option --reason"]),
        ("migrate --tunneled=1 guest uri", ["invalid '=' after option --tunnelled"]),
        // one argument too many
        ("domstate a b", ["unexpected data 'b'"]),
        // the tokenizer
        (#"domstate "guest"#, [#"missing ""#]),
        (#"domstate guest\"#, [#"dangling \"#]),
    ])
    func wrongCommandLines(_ line: String, _ messages: [String]) {
        let (cmds, errors) = parse(line)
        #expect(cmds == nil)
        #expect(errors == messages.map { "error: \($0)\n" })
    }

    // MARK: the option tables

    @Test func theCommandTableHasNoProblems() {
        #expect(CommandTable.problems(Commands.all) == [])
        #expect(Set(Commands.all.map { $0.name }).count == Commands.all.count)
    }

    @Test(arguments: Commands.all.map { $0.name })
    func optionTable(_ name: String) throws {
        let c = try command(name)
        let opts = c.options
        #expect(CommandTable.problems(c) == [])
        #expect(opts.count <= CommandParser.maxOptions)
        #expect(opts.count <= 64, "libvirt's bitmasks are uint64_t")
        #expect(Set(opts.map(\.name)).count == opts.count, "option names are unique")

        // Every option that takes a value has its own bit.
        let (needArg, required) = CommandParser.masks(c)
        #expect(needArg.nonzeroBitCount == opts.filter { $0.takesValue && !$0.namedOnly }.count)
        #expect(required.nonzeroBitCount == opts.filter { $0.takesValue && $0.required }.count)
        #expect(required & ~needArg == 0, "a required option is never named only")

        // The command alone: refused for each required option, in order.
        let requiredOpts = opts.filter(\.required)
        let alone = parse(name)
        #expect(alone.errors == requiredOpts.map { o in
            o.kind == .data || o.kind == .argv
                ? "error: command '\(name)' requires <\(o.name)> option\n"
                : "error: command '\(name)' requires --\(o.name) option\n"
        })
        #expect((alone.commands == nil) == !requiredOpts.isEmpty)

        // Every option by name, with the required ones given.
        let requiredArgs = requiredOpts.flatMap { ["--\($0.name)", "x"] }
        for o in opts {
            let line: [String]
            let expected: String
            switch o.kind {
            case .alias(let target):
                if let eq = target.firstIndex(of: "=") {
                    line = ["--\(o.name)"]
                    expected = "\(target[..<eq])=\(target[target.index(after: eq)...])"
                } else {
                    let def = try #require(opts.first { $0.name == target }, "alias --\(o.name) resolves")
                    line = def.takesValue ? ["--\(o.name)", "v"] : ["--\(o.name)"]
                    expected = def.takesValue ? "\(target)=v" : "--\(target)"
                }
            case .bool:
                line = ["--\(o.name)"]
                expected = "--\(o.name)"
            default:
                if o.required { continue }
                line = ["--\(o.name)=v"]
                expected = "\(o.name)=v"
            }
            // An alias of a required option stands for it.
            var given = requiredArgs
            if case .alias(let target) = o.kind, let i = requiredOpts.firstIndex(where: { $0.name == target }) {
                given.removeSubrange(2 * i ..< 2 * i + 2)
            }
            let (cmds, errors) = parse(argv: [name] + given + line)
            #expect(errors == [], "\(name) --\(o.name)")
            let cmd = try #require(cmds?.first)
            #expect(describe(cmd).last == expected, "\(name) --\(o.name)")
        }
    }

    @Test func theTableCheckFindsWhatTheParserCouldNotHandle() {
        let tooMany = (0...CommandParser.maxOptions).map { OptionDef.bool("opt\($0)", "an option") }
        #expect(CommandTable.problems(command: "big", help: "many options", options: tooMany)
            == ["command 'big' has too many options (65; the parser's bitmask holds 64)"])
        #expect(CommandTable.problems(command: "big", help: "many options", options: Array(tooMany.dropLast())) == [])

        let wrong: [OptionDef] = [
            .domainFull,
            .bool("force", "force"),
            .data("file", "a file"),
            .bool("force", "force again"),
            .alias("nowhere", for: "missing"),
            .alias("backwards", for: "force"),
            .alias("valued", for: "force=yes"),
            .bool("help", "help"),
            .bool("-dash", "cannot be typed"),
            OptionDef(name: "optional", kind: .data, required: false, help: "optional data"),
            OptionDef(name: "mandatory", kind: .bool, required: true, help: "a required flag"),
            OptionDef(name: "rest", kind: .argv, help: "the rest"),
            .string("last", "after the rest"),
        ]
        #expect(CommandTable.problems(command: "bad", help: "", options: wrong) == [
            "command 'bad' lacks help",
            "parameter 'file' of command 'bad' must be listed before optional parameters",
            "parameter 'force' of command 'bad' is declared twice",
            "alias 'nowhere' of command 'bad' has missing alias option",
            "alias 'backwards' of command 'bad' has missing alias option",
            "alias 'valued' of command 'bad' has missing alias option",
            "parameter 'help' of command 'bad' is the parser's own (--help)",
            "parameter '-dash' of command 'bad' cannot be given as ---dash",
            "parameter 'optional' of command 'bad' must use VSH_OFLAG_REQ flag",
            "parameter 'optional' of command 'bad' must be listed before optional parameters",
            "parameter 'mandatory' of command 'bad' misused VSH_OFLAG_REQ",
            "parameter 'rest' of command 'bad' must be listed last",
        ])
        let valuedFlag: [OptionDef] = [.alias("yes", for: "force=yes"), .bool("force", "force")]
        #expect(CommandTable.problems(command: "c", help: "h", options: valuedFlag)
            == ["alias 'yes' of command 'c' has mismatched alias type"])
    }

    // MARK: reading options

    /// Every declared option reads through the check (an undeclared one
    /// would stop the process, which this test does not try).
    @Test(arguments: Commands.all.map { $0.name })
    func everyDeclaredOptionReads(_ name: String) throws {
        let c = try command(name)
        let none = ParsedCommand(command: c, values: [])
        for o in c.options {
            if case .alias = o.kind { continue }
            #expect(none.declaration(of: o.name, needsValue: o.kind != .bool).name == o.name)
            #expect(!none.bool(o.name))
        }
    }

    @Test func readingValues() throws {
        let (cmds, _) = parse("migrate guest uri --timeout 30 --disks-port -5 --comp-mt-level x --bandwidth -1 --dname ''")
        let cmd = try #require(cmds?.first)
        let (reads, errors) = recording { ctl in
            (timeout: cmd.unsigned("timeout", max: UInt64(UInt32.max), ctl),
             port: cmd.int("disks-port", ctl),
             level: cmd.int("comp-mt-level", ctl),
             bandwidth: cmd.unsigned("bandwidth", max: .max, ctl),
             dname: cmd.string("dname", ctl),
             xml: cmd.string("xml", ctl),
             desturi: cmd.string("desturi", ctl),
             exclusive: cmd.exclusive("live", "offline", ctl),
             requires: cmd.requires("timeout-postcopy", "postcopy", ctl))
        }
        #expect(succeeded(reads.timeout) == [30])
        #expect(succeeded(reads.port) == [-5])
        #expect(succeeded(reads.level).isEmpty)
        #expect(succeeded(reads.bandwidth).isEmpty)
        #expect(succeeded(reads.dname).isEmpty)
        #expect(succeeded(reads.xml) == [nil])
        #expect(succeeded(reads.desturi) == ["uri"])
        #expect(reads.exclusive && reads.requires)
        #expect(errors == [
            "error: Numeric value 'x' for <comp-mt-level> option is malformed or out of range\n",
            "error: Numeric value '-1' for <bandwidth> option is malformed or out of range\n",
            "error: Failed to get option 'dname': Option argument is empty\n",
        ])

        // An option that allows empty strings (VSH_OFLAG_EMPTY_OK).
        let connect = try #require(parse(argv: ["connect", ""]).commands?.first)
        let (name, connectErrors) = recording { connect.string("name", $0) }
        #expect(succeeded(name) == [""])
        #expect(connectErrors == [])

        // Flags given together or alone.
        let both = try #require(parse("migrate guest uri --live --offline --tls-destination h").commands?.first)
        let (checks, checkErrors) = recording { ctl in
            (both.exclusive("live", "offline", ctl), both.requires("tls-destination", "tls", ctl))
        }
        #expect(!checks.0 && !checks.1)
        #expect(checkErrors == ["error: Options --live and --offline are mutually exclusive\n",
                                "error: Option --tls is required by option --tls-destination\n"])
    }
}
