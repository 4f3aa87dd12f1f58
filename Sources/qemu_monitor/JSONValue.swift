/// A JSON value as QMP sends and receives it.
///
/// Integers keep their exact value: QMP sizes and counters are 64-bit, so a
/// JSON integer becomes `.int` when it fits in `Int64` and `.uint` only when it
/// is larger than `Int64.max`. Numbers with a fraction or an exponent become
/// `.double`. The parser and the encoder never go through `Double` for an
/// integer, so `17179869184` or `18446744073709551615` round-trip exactly.
///
/// libvirt: `virJSONValue` (src/util/virjson.c).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// An integer that fits in `Int64` (the parser's choice for every such integer).
    case int(Int64)
    /// An integer above `Int64.max`.
    case uint(UInt64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    // MARK: - Accessors

    /// The member `key` of an object; `nil` for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// The element at `index` of an array; `nil` when out of range or a non-array.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The value as `Int64`, for any number that is exactly an integer in range
    /// (libvirt: `virJSONValueGetNumberLong`).
    public var int64Value: Int64? {
        switch self {
        case .int(let i): return i
        case .uint(let u): return Int64(exactly: u)
        case .double(let d): return Int64(exactly: d)
        default: return nil
        }
    }

    /// The value as `UInt64`, for any number that is exactly a non-negative
    /// integer in range (libvirt: `virJSONValueGetNumberUlong`).
    public var uint64Value: UInt64? {
        switch self {
        case .int(let i): return UInt64(exactly: i)
        case .uint(let u): return u
        case .double(let d): return UInt64(exactly: d)
        default: return nil
        }
    }

    /// The value as `Int`, when it fits.
    public var intValue: Int? {
        int64Value.flatMap { Int(exactly: $0) }
    }

    /// Any number as `Double` (libvirt: `virJSONValueGetNumberDouble`).
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .uint(let u): return Double(u)
        case .double(let d): return d
        default: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    // MARK: - Text

    /// Parses one JSON document (RFC 8259; surrounding whitespace allowed).
    ///
    /// libvirt: `virJSONValueFromString`.
    public init(parsing text: String) throws(JSONParseError) {
        self = try JSONParser.parse(Array(text.utf8))
    }

    /// Parses one JSON document from UTF-8 bytes.
    public init(parsing bytes: [UInt8]) throws(JSONParseError) {
        self = try JSONParser.parse(bytes)
    }

    /// The value as compact JSON (no insignificant whitespace, object keys
    /// sorted so the text is deterministic).
    ///
    /// libvirt: `virJSONValueToString(..., false)`.
    public var jsonString: String {
        var out = ""
        JSONWriter.write(self, to: &out)
        return out
    }
}

extension JSONValue: CustomStringConvertible {
    public var description: String { jsonString }
}

// MARK: - Literals

extension JSONValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) { self = .int(value) }
}

extension JSONValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var members: [String: JSONValue] = [:]
        for (key, value) in elements { members[key] = value }
        self = .object(members)
    }
}

// MARK: - Integers of any width

extension JSONValue {
    /// An integer, normalized the way the parser does (`.int` when it fits in
    /// `Int64`, else `.uint`).
    public init<T: BinaryInteger>(_ value: T) {
        if let i = Int64(exactly: value) {
            self = .int(i)
        } else if let u = UInt64(exactly: value) {
            self = .uint(u)
        } else {
            self = .double(Double(value))
        }
    }
}
