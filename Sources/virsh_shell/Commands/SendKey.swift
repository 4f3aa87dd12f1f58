import libvirt_abi

/// `send-key`: sends keystrokes to the guest, as codes of a code set
/// (`--codeset`, linux by default; `rfb` is qnum's old name) or key names
/// of it (`KEY_A`), pressed together, held `--holdtime` milliseconds.
///
/// libvirt: `cmdSendKey`, `virshKeyCodeGetInt` (tools/virsh-domain.c).
enum SendKeyCommand: VirshCommand {
    static let name = "send-key"
    static let group = CommandGroup.domain
    static let help = "Send keycodes to the guest"
    static let description = "Send keycodes (integers or symbolic names) to the guest"
    static let options: [OptionDef] = [
        .domainFull,
        .string("codeset", "the codeset of keycodes, default:linux", namedOnly: true),
        OptionDef(name: "holdtime", kind: .int, namedOnly: true, help: "the time (in milliseconds) how long the keys will be held"),
        OptionDef(name: "keycode", kind: .argv, required: true, help: "the key code"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        guard case .success(let codesetOption) = cmd.string("codeset", ctl),
              case .success(let holdtime) = cmd.unsigned("holdtime", max: UInt64(UInt32.max), ctl) else { return false }
        var codesetName = codesetOption ?? "linux"
        if codesetName == "rfb" { codesetName = "qnum" }
        guard let codeset = VirKeycode.Set(name: codesetName) else {
            ctl.error("unknown codeset: '\(codesetName)'")
            return false
        }
        var keycodes: [UInt32] = []
        for key in cmd.argv("keycode") {
            if keycodes.count == VirKeycode.maxKeys {
                ctl.error("too many keycodes")
                return false
            }
            guard let code = number(key) ?? VirKeycode.value(named: key, in: codeset) else {
                ctl.error("invalid keycode: '\(key)'")
                return false
            }
            keycodes.append(code)
        }
        do {
            try await dom.sendKey(codeset: codeset.rawValue, holdtime: UInt32(holdtime ?? 0), keycodes: keycodes)
        } catch {
            ctl.save(error)
            return false
        }
        return true
    }

    /// A key given as a number, in C's notation (decimal, `0x` hex, `0`
    /// octal), up to 0xffff (libvirt: `virshKeyCodeGetInt`).
    static func number(_ text: String) -> UInt32? {
        var digits = Substring(text)
        var radix = 10
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            digits = digits.dropFirst(2)
            radix = 16
        } else if digits.count > 1 && digits.hasPrefix("0") {
            digits = digits.dropFirst()
            radix = 8
        }
        guard !digits.isEmpty, let n = UInt32(digits, radix: radix), n <= 0xffff else { return nil }
        return n
    }
}
