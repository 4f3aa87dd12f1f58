/// Key codes as `virDomainSendKey` takes them: a code set and codes in it,
/// and their translation to the codes QEMU's `send-key` takes (qnum: XT
/// set 1 scancodes, an `e0`-prefixed key as 0x80 plus its second byte).
///
/// Translated here: `linux` (the keys of a PC keyboard), `xt` and `atset1`
/// (set 1 scancodes, by rule), and `qnum` itself. The other code sets are
/// known by name and refused with libvirt's "cannot translate" error.
///
/// libvirt: `virKeycodeSet` and `virKeycodeValueTranslate`
/// (src/util/virkeycode.c, whose tables come from keymapdb).
public enum VirKeycode {
    /// `VIR_KEYCODE_SET_*`.
    public enum Set: UInt32, Sendable, CaseIterable {
        case linux = 0, xt, atset1, atset2, atset3, osx, xtKbd, usb, win32, qnum

        /// libvirt's name (`virKeycodeSetTypeToString`).
        public var name: String {
            switch self {
            case .linux: "linux"
            case .xt: "xt"
            case .atset1: "atset1"
            case .atset2: "atset2"
            case .atset3: "atset3"
            case .osx: "os_x"
            case .xtKbd: "xt_kbd"
            case .usb: "usb"
            case .win32: "win32"
            case .qnum: "qnum"
            }
        }

        public init?(name: String) {
            guard let s = Set.allCases.first(where: { $0.name == name }) else { return nil }
            self = s
        }
    }

    /// `VIR_DOMAIN_SEND_KEY_MAX_KEYS`.
    public static let maxKeys = 16

    /// The code a key name has in `set` (`virKeycodeValueFromString`):
    /// Linux's `KEY_*` names; the other sets' names are not known here.
    public static func value(named name: String, in set: Set) -> UInt32? {
        set == .linux ? linuxNames[name] : nil
    }

    /// `code` of `set` as a qnum code, or `nil` when it has none.
    public static func qnum(_ code: UInt32, from set: Set) -> UInt32? {
        switch set {
        case .qnum:
            return code
        case .linux:
            return linuxToQnum[code]
        case .xt:
            return (1..<0x80).contains(code) ? code : nil
        case .atset1:
            if (1..<0x80).contains(code) { return code }
            if code & 0xff00 == 0xe000, (1..<0x80).contains(code & 0xff) { return 0x80 | (code & 0xff) }
            return nil
        default:
            return nil
        }
    }

    /// The keys of a PC keyboard: Linux's code, and the set 1 scancode the
    /// key sends (`e0`-prefixed ones as 0x80 plus their second byte).
    static let linuxToQnum: [UInt32: UInt32] = {
        // KEY_ESC (1) to KEY_KPDOT (83) are their own set 1 scancodes.
        var map = Dictionary(uniqueKeysWithValues: (1...83).map { (UInt32($0), UInt32($0)) })
        let others: [(UInt32, UInt32)] = [
            (85, 0x76),  // KEY_ZENKAKUHANKAKU
            (86, 0x56),  // KEY_102ND
            (87, 0x57),  // KEY_F11
            (88, 0x58),  // KEY_F12
            (89, 0x73),  // KEY_RO
            (90, 0x78),  // KEY_KATAKANA
            (91, 0x77),  // KEY_HIRAGANA
            (92, 0x79),  // KEY_HENKAN
            (93, 0x70),  // KEY_KATAKANAHIRAGANA
            (94, 0x7b),  // KEY_MUHENKAN
            (95, 0x5c),  // KEY_KPJPCOMMA
            (96, 0x9c),  // KEY_KPENTER: e0 1c
            (97, 0x9d),  // KEY_RIGHTCTRL: e0 1d
            (98, 0xb5),  // KEY_KPSLASH: e0 35
            (99, 0x54),  // KEY_SYSRQ
            (100, 0xb8),  // KEY_RIGHTALT: e0 38
            (102, 0xc7),  // KEY_HOME: e0 47
            (103, 0xc8),  // KEY_UP
            (104, 0xc9),  // KEY_PAGEUP
            (105, 0xcb),  // KEY_LEFT
            (106, 0xcd),  // KEY_RIGHT
            (107, 0xcf),  // KEY_END
            (108, 0xd0),  // KEY_DOWN
            (109, 0xd1),  // KEY_PAGEDOWN
            (110, 0xd2),  // KEY_INSERT
            (111, 0xd3),  // KEY_DELETE
            (113, 0xa0),  // KEY_MUTE: e0 20
            (114, 0xae),  // KEY_VOLUMEDOWN: e0 2e
            (115, 0xb0),  // KEY_VOLUMEUP: e0 30
            (116, 0xde),  // KEY_POWER: e0 5e
            (117, 0x59),  // KEY_KPEQUAL
            (119, 0xc6),  // KEY_PAUSE
            (121, 0x7e),  // KEY_KPCOMMA
            (124, 0x7d),  // KEY_YEN
            (125, 0xdb),  // KEY_LEFTMETA: e0 5b
            (126, 0xdc),  // KEY_RIGHTMETA: e0 5c
            (127, 0xdd),  // KEY_COMPOSE: e0 5d
            (142, 0xdf),  // KEY_SLEEP: e0 5f
            (143, 0xe3),  // KEY_WAKEUP: e0 63
            (163, 0x99),  // KEY_NEXTSONG: e0 19
            (164, 0xa2),  // KEY_PLAYPAUSE: e0 22
            (165, 0x90),  // KEY_PREVIOUSSONG: e0 10
            (166, 0xa4),  // KEY_STOPCD: e0 24
        ]
        for (linux, qnum) in others { map[linux] = qnum }
        return map
    }()

    /// The Linux codes translated, in order (for tests and `send-key`'s
    /// documentation).
    public static var translatedLinuxCodes: [UInt32] { linuxToQnum.keys.sorted() }
}
