/// One option of a command, as virsh declares it (`vshCmdOptDef`).
struct OptionDef: Sendable {
    enum Kind: Sendable, Equatable {
        /// `--name`, no value (`VSH_OT_BOOL`).
        case bool
        /// `--name N` or positional (`VSH_OT_INT`).
        case int
        /// `--name S` or positional (`VSH_OT_STRING`).
        case string
        /// Positional or `--name S` (`VSH_OT_DATA`).
        case data
        /// Every remaining positional argument (`VSH_OT_ARGV`).
        case argv
        /// Another spelling of an option: `"name"` or `"name=value"`
        /// (`VSH_OT_ALIAS`).
        case alias(String)
    }

    let name: String
    let kind: Kind
    /// `VSH_OFLAG_REQ`.
    var required = false
    /// `VSH_OFLAG_REQ_OPT`: never filled positionally.
    var namedOnly = false
    /// `VSH_OFLAG_EMPTY_OK`.
    var emptyOK = false
    let help: String

    static func bool(_ name: String, _ help: String) -> OptionDef { OptionDef(name: name, kind: .bool, help: help) }
    static func int(_ name: String, _ help: String, required: Bool = false) -> OptionDef {
        OptionDef(name: name, kind: .int, required: required, help: help)
    }
    static func string(_ name: String, _ help: String, namedOnly: Bool = false) -> OptionDef {
        OptionDef(name: name, kind: .string, namedOnly: namedOnly, help: help)
    }
    static func data(_ name: String, _ help: String, required: Bool = true) -> OptionDef {
        OptionDef(name: name, kind: .data, required: required, help: help)
    }
    static func alias(_ name: String, for target: String) -> OptionDef { OptionDef(name: name, kind: .alias(target), help: "") }

    /// `VIRSH_COMMON_OPT_DOMAIN_FULL`.
    static let domainFull = data("domain", "domain name, id or uuid")
    /// `VIRSH_COMMON_OPT_DOMAIN(help)`.
    static func domain(_ help: String) -> OptionDef { data("domain", help) }

    var takesValue: Bool {
        switch kind {
        case .bool, .alias: return false
        default: return true
        }
    }
}

/// The groups of `virsh help`, in virsh's order.
enum CommandGroup: String, CaseIterable, Sendable {
    case domain = "Domain Management"
    case monitor = "Domain Monitoring"
    case events = "Domain Events"
    case host = "Host and Hypervisor"
    case virsh = "Virsh itself"

    var keyword: String {
        switch self {
        case .domain: return "domain"
        case .monitor: return "monitor"
        case .events: return "events"
        case .host: return "host"
        case .virsh: return "virsh"
        }
    }
}

/// One virsh command: its declaration (name, help, options in virsh's
/// order, which decides how positional arguments are filled) and what it
/// does. `run` reports its own errors and returns whether it succeeded,
/// like virsh's `cmdXxx` handlers.
protocol VirshCommand: Sendable {
    static var name: String { get }
    static var group: CommandGroup { get }
    static var help: String { get }
    static var description: String { get }
    static var options: [OptionDef] { get }
    /// Commands such as `help` run without a connection
    /// (`VSH_CMD_FLAG_NOCONNECT`).
    static var needsConnection: Bool { get }

    @MainActor static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool
}

extension VirshCommand {
    static var needsConnection: Bool { true }
    static var options: [OptionDef] { [] }
}

/// A command line, parsed: the command and its options in the order given.
/// Commands read their options through the accessors below, which check
/// the name against the command's option table.
struct ParsedCommand {
    let command: any VirshCommand.Type
    /// Option name (after alias resolution) and value (`nil` for booleans).
    let values: [(name: String, value: String?)]

    var name: String { command.name }

    /// The declaration of an option the command reads. Reading an option
    /// the command's table does not declare (a misspelt name, or an alias,
    /// which the parser always replaces by the option it stands for) is a
    /// programming error, and so is reading a value from a `--flag`: they
    /// stop virsh with the command's and the option's name instead of
    /// reading as absent.
    ///
    /// libvirt: `vshCommandOpt` (its `assert`).
    func declaration(of name: String, needsValue: Bool) -> OptionDef {
        guard let def = command.options.first(where: { $0.name == name }) else {
            preconditionFailure("command '\(command.name)' reads option --\(name), which it does not declare")
        }
        if case .alias(let target) = def.kind {
            preconditionFailure("command '\(command.name)' reads option --\(name), an alias of --\(target)")
        }
        precondition(!needsValue || def.kind != .bool,
                     "command '\(command.name)' reads a value from option --\(name), which takes none")
        return def
    }

    /// Whether the option was given (any option, not only a `--flag`).
    ///
    /// libvirt: `vshCommandOptBool`.
    func bool(_ name: String) -> Bool {
        _ = declaration(of: name, needsValue: false)
        return values.contains { $0.name == name }
    }

    /// The option's declaration and its value as given: `nil` when
    /// absent, `.some(nil)` for a `--flag`.
    private func raw(_ name: String) -> (def: OptionDef, value: String??) {
        let def = declaration(of: name, needsValue: true)
        return (def, values.first { $0.name == name }.map { $0.value })
    }

    /// An option's string, `nil` when absent or empty (unless the option
    /// allows empty strings); nothing is reported.
    ///
    /// libvirt: `vshCommandOptStringQuiet`.
    func stringQuiet(_ name: String) -> String? {
        let (def, v) = raw(name)
        guard let v else { return nil }
        let value = v ?? ""
        return value.isEmpty && !def.emptyOK ? nil : value
    }

    /// An option's string: `nil` when absent; an empty one is refused
    /// unless the option allows it.
    ///
    /// libvirt: `vshCommandOptStringReq`.
    @MainActor func string(_ name: String, _ ctl: Control) -> Result<String?, CommandFailure> {
        let (def, v) = raw(name)
        guard let v else { return .success(nil) }
        let value = v ?? ""
        if value.isEmpty && !def.emptyOK {
            ctl.error("Failed to get option '\(name)': Option argument is empty")
            return .failure(CommandFailure())
        }
        return .success(value)
    }

    /// Every value of an argv option, in the order given.
    ///
    /// libvirt: `vshCommandOptArgv`, called until it returns `NULL`.
    func argv(_ name: String) -> [String] {
        let def = declaration(of: name, needsValue: true)
        precondition(def.kind == .argv, "command '\(command.name)' reads --\(name) as argv, which it is not")
        return values.filter { $0.name == name }.map { $0.value ?? "" }
    }

    /// An unsigned option (negative numbers refused), `nil` when absent.
    ///
    /// libvirt: `vshCommandOptUInt` / `vshCommandOptULongLong`.
    @MainActor func unsigned(_ name: String, max: UInt64, _ ctl: Control) -> Result<UInt64?, CommandFailure> {
        guard let v = raw(name).value else { return .success(nil) }
        let text = v ?? ""
        guard let n = NumberParsing.unsigned(text), n <= max else {
            ctl.error("Numeric value '\(text)' for <\(name)> option is malformed or out of range")
            return .failure(CommandFailure())
        }
        return .success(n)
    }

    /// A size with an optional unit suffix (`b`, `k`/`KiB` and up in
    /// powers of 1024, `KB` and up in powers of 1000), `defaultScale` when
    /// it has none; `nil` when absent.
    ///
    /// libvirt: `vshCommandOptScaledInt` (`virScaleInteger`).
    @MainActor func scaled(_ name: String, defaultScale: UInt64, max: UInt64, _ ctl: Control) -> Result<UInt64?, CommandFailure> {
        guard let v = raw(name).value else { return .success(nil) }
        let text = v ?? ""
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        let suffix = text.dropFirst(digits.count)
        // libvirt's own error, which virsh prints after its line.
        var detail: String?
        func scale() -> UInt64? {
            if suffix.isEmpty { return defaultScale }
            if ["b", "byte", "bytes"].contains(suffix.lowercased()) { return 1 }
            let rest = suffix.dropFirst().lowercased()
            let base: UInt64
            if rest.isEmpty || rest == "ib" { base = 1024 } else if rest == "b" { base = 1000 } else {
                detail = "invalid argument: unknown suffix '\(suffix)'"
                return nil
            }
            guard let power = ["k", "m", "g", "t", "p", "e"].firstIndex(of: suffix.prefix(1).lowercased()) else {
                detail = "invalid argument: unknown suffix '\(suffix)'"
                return nil
            }
            return (0...power).reduce(UInt64(1)) { acc, _ in acc * base }
        }
        let n = digits.isEmpty ? nil : UInt64(digits)
        let s = n == nil ? nil : scale()
        if let n, let s, n != 0 && n > max / s { detail = "numerical overflow: value too large: \(n)\(suffix)" }
        guard let n, let s, detail == nil else {
            ctl.error("Scaled numeric value '\(text)' for <\(name)> option is malformed or out of range")
            if let detail { ctl.error(detail) }
            return .failure(CommandFailure())
        }
        return .success(n * s)
    }

    /// An unsigned long option where a negative number wraps around, as
    /// `strtoul` reads it (`-1` is the largest value), `nil` when absent.
    ///
    /// libvirt: `vshCommandOptULWrap`.
    @MainActor func unsignedWrapping(_ name: String, _ ctl: Control) -> Result<UInt64?, CommandFailure> {
        guard let v = raw(name).value else { return .success(nil) }
        let text = v ?? ""
        guard let n = NumberParsing.unsignedWrapping(text) else {
            ctl.error("Numeric value '\(text)' for <\(name)> option is malformed or out of range")
            return .failure(CommandFailure())
        }
        return .success(n)
    }

    /// A signed int option, `nil` when absent (libvirt: `vshCommandOptInt`).
    @MainActor func int(_ name: String, _ ctl: Control) -> Result<Int32?, CommandFailure> {
        guard let v = raw(name).value else { return .success(nil) }
        let text = v ?? ""
        guard let n = NumberParsing.int32(text) else {
            ctl.error("Numeric value '\(text)' for <\(name)> option is malformed or out of range")
            return .failure(CommandFailure())
        }
        return .success(n)
    }

    /// A signed long long option, `nil` when absent
    /// (libvirt: `vshCommandOptLongLong`).
    @MainActor func longLong(_ name: String, _ ctl: Control) -> Result<Int64?, CommandFailure> {
        guard let v = raw(name).value else { return .success(nil) }
        let text = v ?? ""
        guard let n = NumberParsing.int64(text) else {
            ctl.error("Numeric value '\(text)' for <\(name)> option is malformed or out of range")
            return .failure(CommandFailure())
        }
        return .success(n)
    }

    /// Options that may not be given together (`VSH_EXCLUSIVE_OPTIONS`).
    @MainActor func exclusive(_ a: String, _ b: String, _ ctl: Control) -> Bool {
        if bool(a) && bool(b) {
            ctl.error("Options --\(a) and --\(b) are mutually exclusive")
            return false
        }
        return true
    }

    /// An option that needs another (`VSH_REQUIRE_OPTION`).
    @MainActor func requires(_ a: String, _ b: String, _ ctl: Control) -> Bool {
        if bool(a) && !bool(b) {
            ctl.error("Option --\(b) is required by option --\(a)")
            return false
        }
        return true
    }
}

/// A failure already reported on stderr.
struct CommandFailure: Error {}

/// libvirt's number parsing (`virStrToLong_*`): leading white space, an
/// optional sign, base 10, nothing after.
enum NumberParsing {
    private static func split(_ text: String) -> (negative: Bool, digits: Substring)? {
        var s = Substring(text)
        while let c = s.first, c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0B}" || c == "\u{0C}" {
            s = s.dropFirst()
        }
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() } else if s.first == "+" { s = s.dropFirst() }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return (negative, s)
    }

    /// `virStrToLong_i`.
    static func int32(_ text: String) -> Int32? {
        guard let (neg, digits) = split(text), let m = Int64(digits) else { return nil }
        return Int32(exactly: neg ? -m : m)
    }

    /// `virStrToLong_ll`.
    static func int64(_ text: String) -> Int64? {
        guard let (neg, digits) = split(text), let m = UInt64(digits) else { return nil }
        if neg { return m <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- m) : nil }
        return Int64(exactly: m)
    }

    /// `virStrToLong_ul`: a negative number is its two's complement.
    static func unsignedWrapping(_ text: String) -> UInt64? {
        guard let (neg, digits) = split(text), let v = UInt64(digits) else { return nil }
        return neg ? 0 &- v : v
    }

    /// `virStrToLong_ullp` / `virStrToLong_uip`: no negative numbers.
    static func unsigned(_ text: String) -> UInt64? {
        guard let (neg, digits) = split(text), let v = UInt64(digits) else { return nil }
        if neg { return v == 0 ? 0 : nil }
        return v
    }
}
