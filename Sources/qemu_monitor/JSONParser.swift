/// A strict RFC 8259 parser over UTF-8 bytes that keeps integers exact.
///
/// Nesting is limited to `maxDepth` levels so hostile input (`[[[[…`) gets an
/// error instead of exhausting the stack.
///
/// libvirt: `virJSONValueFromString` (yajl based in libvirt).
struct JSONParser {
    static let maxDepth = 512

    private let bytes: [UInt8]
    private var pos = 0

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        if parser.pos != bytes.count {
            throw parser.error("trailing garbage")
        }
        return value
    }

    // MARK: - Helpers

    private func error(_ reason: String) -> JSONParseError {
        JSONParseError(reason, offset: pos)
    }

    private var atEnd: Bool { pos >= bytes.count }

    private mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1
            default: return
            }
        }
    }

    private mutating func expectLiteral(_ literal: String, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let expected = literal.utf8
        guard bytes.count - pos >= expected.count,
              bytes[pos..<(pos + expected.count)].elementsEqual(expected) else {
            throw error("invalid literal")
        }
        pos += expected.count
        return value
    }

    // MARK: - Values

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard !atEnd else { throw error("premature EOF") }
        switch bytes[pos] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expectLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try expectLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try expectLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("invalid char in json text")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= Self.maxDepth else { throw error("nesting too deep") }
        pos += 1 // {
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if !atEnd, bytes[pos] == UInt8(ascii: "}") {
            pos += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard !atEnd else { throw error("premature EOF") }
            guard bytes[pos] == UInt8(ascii: "\"") else { throw error("invalid object key (must be a string)") }
            let key = try parseString()
            skipWhitespace()
            guard !atEnd else { throw error("premature EOF") }
            guard bytes[pos] == UInt8(ascii: ":") else { throw error("object key and value must be separated by a colon (':')") }
            pos += 1
            skipWhitespace()
            members[key] = try parseValue(depth: depth)
            skipWhitespace()
            guard !atEnd else { throw error("premature EOF") }
            switch bytes[pos] {
            case UInt8(ascii: ","): pos += 1
            case UInt8(ascii: "}"): pos += 1; return .object(members)
            default: throw error("after key and value, inside map, I expect ',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= Self.maxDepth else { throw error("nesting too deep") }
        pos += 1 // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if !atEnd, bytes[pos] == UInt8(ascii: "]") {
            pos += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard !atEnd else { throw error("premature EOF") }
            switch bytes[pos] {
            case UInt8(ascii: ","): pos += 1
            case UInt8(ascii: "]"): pos += 1; return .array(elements)
            default: throw error("after array element, I expect ',' or ']'")
            }
        }
    }

    // MARK: - Numbers

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = pos
        var negative = false
        if bytes[pos] == UInt8(ascii: "-") {
            negative = true
            pos += 1
        }
        guard !atEnd, Self.isDigit(bytes[pos]) else { throw error("malformed number, a digit is required after the minus sign") }
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
            if !atEnd, Self.isDigit(bytes[pos]) { throw error("malformed number, leading zeros are not allowed") }
        } else {
            while !atEnd, Self.isDigit(bytes[pos]) { pos += 1 }
        }
        var isInteger = true
        if !atEnd, bytes[pos] == UInt8(ascii: ".") {
            isInteger = false
            pos += 1
            guard !atEnd, Self.isDigit(bytes[pos]) else { throw error("malformed number, a digit is required after the decimal point") }
            while !atEnd, Self.isDigit(bytes[pos]) { pos += 1 }
        }
        if !atEnd, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            isInteger = false
            pos += 1
            if !atEnd, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard !atEnd, Self.isDigit(bytes[pos]) else { throw error("malformed number, a digit is required after the exponent") }
            while !atEnd, Self.isDigit(bytes[pos]) { pos += 1 }
        }
        let text = String(decoding: bytes[start..<pos], as: UTF8.self)
        // Out of range is an error, as yajl (libvirt's parser) reports it:
        // no integer silently turned into a rounded double, no infinity
        // (which no JSON text can carry back).
        if isInteger {
            if let i = Int64(text) { return .int(i) }
            if !negative, let u = UInt64(text) { return .uint(u) }
            throw JSONParseError("integer overflow", offset: start)
        }
        guard let d = Double(text) else { throw JSONParseError("malformed number", offset: start) }
        guard d.isFinite else { throw JSONParseError("numeric (floating point) overflow", offset: start) }
        return .double(d)
    }

    // MARK: - Strings

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard bytes.count - pos >= 4 else { throw error("invalid unicode escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[pos]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: throw error("invalid unicode escape")
            }
            value = value << 4 | UInt32(digit)
            pos += 1
        }
        return value
    }

    private static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        let value = Unicode.Scalar(scalar) ?? "\u{FFFD}"
        UTF8.encode(value) { out.append($0) }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        pos += 1 // opening quote
        var out: [UInt8] = []
        while true {
            guard !atEnd else { throw error("premature EOF inside a string") }
            let b = bytes[pos]
            switch b {
            case UInt8(ascii: "\""):
                pos += 1
                // Invalid UTF-8 becomes U+FFFD rather than an error, like QEMU does.
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                pos += 1
                guard !atEnd else { throw error("premature EOF inside a string") }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    let unit = try hex4()
                    if (0xD800...0xDBFF).contains(unit) {
                        // A high surrogate: combine with a following low one if present.
                        if bytes.count - pos >= 6, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") {
                            let save = pos
                            pos += 2
                            let low = try hex4()
                            if (0xDC00...0xDFFF).contains(low) {
                                Self.appendUTF8(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00), to: &out)
                            } else {
                                Self.appendUTF8(0xFFFD, to: &out)
                                pos = save
                            }
                        } else {
                            Self.appendUTF8(0xFFFD, to: &out)
                        }
                    } else {
                        Self.appendUTF8(unit, to: &out) // lone low surrogates become U+FFFD
                    }
                default:
                    pos -= 1
                    throw error("inside a string, '\\' occurs before a character which it may not")
                }
            case 0x00..<0x20:
                throw error("invalid character inside string")
            default:
                out.append(b)
                pos += 1
            }
        }
    }
}
