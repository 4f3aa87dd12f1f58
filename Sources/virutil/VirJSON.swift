import libvirt_abi

/// A JSON value as libvirt keeps one when it passes JSON through without
/// reading it: object members in the order they came (duplicate keys
/// refused), numbers as the text they were written in. Parsing and
/// formatting behave as libvirt 9.0's, which is built on yajl: the same
/// errors with the same context lines, the same compact text, the same
/// pretty layout (two spaces, `"key": value`, an empty object or array
/// broken over two lines).
///
/// This is for text that goes to or comes from a user as it is: the
/// arguments of `virsh qemu-monitor-command`, a monitor command passed
/// through, QEMU's reply to it. The monitor's own commands use
/// `qemu_monitor`'s `JSONValue`, which reads members by key.
///
/// libvirt: `virJSONValue` (src/util/virjson.c).
public enum VirJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number, as written (libvirt: `virJSONValueNewNumber` keeps the text).
    case number(String)
    case string(String)
    case array([VirJSON])
    case object([Member])

    /// One member of an object.
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: VirJSON

        public init(_ key: String, _ value: VirJSON) {
            self.key = key
            self.value = value
        }
    }

    /// How deep containers may nest in what `format` writes: yajl's
    /// generator keeps a fixed stack (`YAJL_MAX_DEPTH`, 128, the top level
    /// included).
    public static let maxFormatDepth = 127

    // MARK: - Reading

    /// Whether the value is an object (libvirt: `virJSONValueIsObject`).
    public var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    /// The members of an object, `nil` for anything else.
    public var members: [Member]? {
        if case .object(let m) = self { return m }
        return nil
    }

    /// The value of member `key`, `nil` when there is none or this is not
    /// an object (libvirt: `virJSONValueObjectGet`).
    public subscript(key: String) -> VirJSON? {
        members?.first { $0.key == key }?.value
    }

    /// Whether an object has member `key` (libvirt:
    /// `virJSONValueObjectHasKey`; a value that is not an object has no
    /// members).
    public func hasKey(_ key: String) -> Bool {
        self[key] != nil
    }

    /// The text of a string value (libvirt: `virJSONValueGetString`).
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    // MARK: - Changing

    /// Adds a member at the end of an object.
    ///
    /// - Throws: libvirt's errors: the value is not an object ("expecting
    ///   JSON object"), or has the key already ("duplicate key 'KEY'").
    ///
    /// libvirt: `virJSONValueObjectAppend` → `virJSONValueObjectInsert`.
    public mutating func append(_ key: String, _ value: VirJSON) throws(VirError) {
        guard case .object(var m) = self else {
            throw VirError(.internalError, "expecting JSON object", domain: .none)
        }
        if m.contains(where: { $0.key == key }) {
            throw VirError(.internalError, "duplicate key '\(key)'", domain: .none)
        }
        m.append(Member(key, value))
        self = .object(m)
    }

    // MARK: - Text

    /// Parses one JSON document as libvirt does (yajl, no comments, no
    /// trailing garbage, any value at the top level).
    ///
    /// - Throws: `VIR_ERR_INTERNAL_ERROR` "cannot parse json TEXT: ERROR",
    ///   where ERROR is yajl's verbose message: the kind ("lexical error",
    ///   "parse error"), what is wrong, and a context line with an arrow
    ///   under the place.
    ///
    /// libvirt: `virJSONValueFromString`.
    public static func parse(_ text: String) throws(VirError) -> VirJSON {
        let bytes = Array(text.utf8)
        switch VirJSONParser.parse(bytes) {
        case .success(let value):
            return value
        case .failure(let failure):
            throw VirError(.internalError, "cannot parse json \(text): \(failure.message(for: bytes))", domain: .none)
        }
    }

    /// The value as text: compact (no white space at all), or pretty
    /// (yajl's beautified layout, two-space indent, a final newline).
    ///
    /// - Throws: libvirt's "failed to convert virJSONValue to yajl data"
    ///   when containers nest deeper than yajl's generator allows.
    ///
    /// libvirt: `virJSONValueToString`, `virJSONValueToBuffer`.
    public func format(pretty: Bool = false) throws(VirError) -> String {
        var out = ""
        guard VirJSONWriter.write(self, depth: 0, pretty: pretty, to: &out) else {
            throw VirError(.internalError, "failed to convert virJSONValue to yajl data", domain: .none)
        }
        if pretty { out += "\n" }
        return out
    }
}

/// yajl's generator (`yajl_gen` with `yajl_gen_beautify` and the indent
/// string "  ", as libvirt configures it).
enum VirJSONWriter {
    /// Writes `value` at nesting `depth`; `false` when a container would
    /// nest deeper than `VirJSON.maxFormatDepth` (`yajl_max_depth_exceeded`).
    static func write(_ value: VirJSON, depth: Int, pretty: Bool, to out: inout String) -> Bool {
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let text): out += text
        case .string(let s): writeString(s, to: &out)
        case .array(let elements):
            guard depth < VirJSON.maxFormatDepth else { return false }
            out += pretty ? "[\n" : "["
            for (i, e) in elements.enumerated() {
                if i > 0 { out += pretty ? ",\n" : "," }
                if pretty { indent(depth + 1, &out) }
                guard write(e, depth: depth + 1, pretty: pretty, to: &out) else { return false }
            }
            if pretty {
                out += "\n"
                indent(depth, &out)
            }
            out += "]"
        case .object(let members):
            guard depth < VirJSON.maxFormatDepth else { return false }
            out += pretty ? "{\n" : "{"
            for (i, m) in members.enumerated() {
                if i > 0 { out += pretty ? ",\n" : "," }
                if pretty { indent(depth + 1, &out) }
                writeString(m.key, to: &out)
                out += pretty ? ": " : ":"
                guard write(m.value, depth: depth + 1, pretty: pretty, to: &out) else { return false }
            }
            if pretty {
                out += "\n"
                indent(depth, &out)
            }
            out += "}"
        }
        return true
    }

    private static func indent(_ depth: Int, _ out: inout String) {
        for _ in 0..<depth { out += "  " }
    }

    private static let hexDigits = Array("0123456789ABCDEF")

    /// yajl's escapes: `"`, `\`, `\b \f \n \r \t`, other control
    /// characters as `\u00XX` (upper-case hex); `/` and everything from
    /// 0x20 up as they are.
    ///
    /// yajl: `yajl_string_encode`.
    static func writeString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    out += "\\u00"
                    out.append(hexDigits[Int(scalar.value >> 4)])
                    out.append(hexDigits[Int(scalar.value & 0xF)])
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
