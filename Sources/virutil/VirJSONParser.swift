/// libvirt 9.0's JSON parser: yajl 2 as `virJSONValueFromString` runs it
/// (`yajl_parse` over the whole text, then `yajl_complete_parse`; no
/// comments, UTF-8 checked, no trailing garbage), building the values as
/// libvirt's callbacks do (numbers as text, duplicate keys refused).
///
/// yajl is a streaming parser and libvirt feeds it in two calls, which
/// shows in its errors: a token cut by the end of the text is finished in
/// the second call (yajl's `yajl_do_finish` feeds one space), whose
/// offsets count from that space. Both calls are reproduced here, so that
/// every error reads as libvirt's, context line and arrow included.
///
/// yajl: `yajl_do_parse` (yajl_parser.c), `yajl_lex_lex` (yajl_lex.c),
/// `yajl_render_error_string`.
enum VirJSONParser {
    /// Why a text is not JSON, as yajl says it.
    struct Failure: Error, Equatable {
        enum Kind: String {
            case lexical
            case parse
        }
        let kind: Kind
        let text: String
        /// yajl's `bytesConsumed` when it stopped: in the text, or in the
        /// one-space buffer of the second call.
        let offset: Int

        /// yajl's verbose message (`yajl_get_error(hand, 1, ...)`): the
        /// error, then up to 30 bytes either side of `offset` placed so that
        /// `offset` falls at column 40, then the arrow under it.
        func message(for json: [UInt8]) -> String {
            var s = "\(kind.rawValue) error: \(text)\n"
            let spaces = offset < 30 ? 40 - offset : 10
            var start = offset >= 30 ? offset - 30 : 0
            let end = min(offset + 30, json.count)
            var context = [UInt8](repeating: 0x20, count: spaces)
            while start < end {
                let b = json[start]
                context.append(b == 0x0A || b == 0x0D ? 0x20 : b)
                start += 1
            }
            s += String(decoding: context, as: UTF8.self) + "\n"
            s += "                     (right here) ------^\n"
            return s
        }
    }

    /// Deeper nesting is refused (yajl has no limit; libvirt could not
    /// format more than 127 levels anyway, and values this deep would
    /// exhaust a thread's stack when freed).
    static let maxDepth = 512

    static func parse(_ bytes: [UInt8]) -> Result<VirJSON, Failure> {
        var machine = Machine()
        // yajl_parse: the whole text.
        if let failure = machine.run(bytes, prefix: 0) { return .failure(failure) }
        // yajl_complete_parse → yajl_do_finish: one space, after the start
        // of a token the text ended in.
        var rest = machine.partialStart.map { Array(bytes[$0...]) } ?? []
        let prefix = rest.count
        rest.append(0x20)
        machine.partialStart = nil
        if let failure = machine.run(rest, prefix: prefix) { return .failure(failure) }
        guard machine.states.last == .parseComplete, let head = machine.head else {
            return .failure(Failure(kind: .parse, text: "premature EOF", offset: machine.lastOffset))
        }
        return .success(head)
    }

    // MARK: - The lexer's tokens

    enum LexError: String {
        case invalidUTF8 = "invalid bytes in UTF8 string."
        case invalidEscapedChar = "inside a string, '\\' occurs before a character which it may not."
        case invalidJSONChar = "invalid character inside string."
        case invalidHexChar = "invalid (non-hex) character occurs after '\\u' inside string."
        case invalidChar = "invalid char in json text."
        case invalidString = "invalid string in json text."
        case missingExponent = "malformed number, a digit is required after the exponent."
        case missingDecimal = "malformed number, a digit is required after the decimal point."
        case missingMinus = "malformed number, a digit is required after the minus sign."
        case comment = "probable comment found in input text, comments are not enabled."
    }

    enum Token: Equatable {
        /// The text ran out (inside a token that started at `partial`, if any).
        case eof(partial: Int?)
        case error(LexError)
        case leftBrace, rightBrace, leftBracket, rightBracket, colon, comma
        case string(escapes: Bool)
        case number
        case bool(Bool)
        case null
    }

    /// yajl's lexer over one buffer. `pos` is where the next byte is read.
    struct Lexer {
        let buf: [UInt8]
        var pos = 0

        private mutating func read() -> UInt8 {
            defer { pos += 1 }
            return buf[pos]
        }

        private var atEnd: Bool { pos >= buf.count }

        /// One token; `start` is where it began (after white space).
        ///
        /// yajl: `yajl_lex_lex`.
        mutating func next() -> (token: Token, start: Int) {
            while true {
                if atEnd { return (.eof(partial: nil), pos) }
                let start = pos
                let c = read()
                switch c {
                case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20:
                    continue
                case UInt8(ascii: "{"): return (.leftBrace, start)
                case UInt8(ascii: "}"): return (.rightBrace, start)
                case UInt8(ascii: "["): return (.leftBracket, start)
                case UInt8(ascii: "]"): return (.rightBracket, start)
                case UInt8(ascii: ","): return (.comma, start)
                case UInt8(ascii: ":"): return (.colon, start)
                case UInt8(ascii: "t"): return (literal("rue", .bool(true), start), start)
                case UInt8(ascii: "f"): return (literal("alse", .bool(false), start), start)
                case UInt8(ascii: "n"): return (literal("ull", .null, start), start)
                case UInt8(ascii: "\""): return (string(start), start)
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    pos -= 1
                    return (number(start), start)
                case UInt8(ascii: "/"):
                    pos -= 1
                    return (.error(.comment), start)
                default:
                    return (.error(.invalidChar), start)
                }
            }
        }

        private mutating func literal(_ want: String, _ token: Token, _ start: Int) -> Token {
            for w in want.utf8 {
                if atEnd { return .eof(partial: start) }
                if read() != w {
                    pos -= 1
                    return .error(.invalidString)
                }
            }
            return token
        }

        private static func isHex(_ c: UInt8) -> Bool {
            (0x30...0x39).contains(c) || (0x41...0x46).contains(c) || (0x61...0x66).contains(c)
        }

        /// yajl: `yajl_lex_string` (after the opening quote).
        private mutating func string(_ start: Int) -> Token {
            var escapes = false
            while true {
                if atEnd { return .eof(partial: start) }
                let c = read()
                if c == UInt8(ascii: "\"") { return .string(escapes: escapes) }
                if c == UInt8(ascii: "\\") {
                    escapes = true
                    if atEnd { return .eof(partial: start) }
                    let e = read()
                    if e == UInt8(ascii: "u") {
                        for _ in 0..<4 {
                            if atEnd { return .eof(partial: start) }
                            if !Self.isHex(read()) {
                                pos -= 1
                                return .error(.invalidHexChar)
                            }
                        }
                    } else if !"\"\\/bfnrt".utf8.contains(e) {
                        pos -= 1
                        return .error(.invalidEscapedChar)
                    }
                } else if c < 0x20 {
                    pos -= 1
                    return .error(.invalidJSONChar)
                } else if c >= 0x80 {
                    // yajl: yajl_lex_utf8_char (no overlong or range checks).
                    let more: Int
                    if c >> 5 == 0x6 { more = 1 } else if c >> 4 == 0xE { more = 2 } else if c >> 3 == 0x1E { more = 3 } else {
                        return .error(.invalidUTF8)
                    }
                    for _ in 0..<more {
                        if atEnd { return .eof(partial: start) }
                        if read() >> 6 != 0x2 { return .error(.invalidUTF8) }
                    }
                }
            }
        }

        private static func isDigit(_ c: UInt8) -> Bool { (0x30...0x39).contains(c) }

        /// yajl: `yajl_lex_number`, which always reads one byte too far.
        private mutating func number(_ start: Int) -> Token {
            if atEnd { return .eof(partial: start) }
            var c = read()
            if c == UInt8(ascii: "-") {
                if atEnd { return .eof(partial: start) }
                c = read()
            }
            if c == UInt8(ascii: "0") {
                if atEnd { return .eof(partial: start) }
                c = read()
            } else if (0x31...0x39).contains(c) {
                repeat {
                    if atEnd { return .eof(partial: start) }
                    c = read()
                } while Self.isDigit(c)
            } else {
                pos -= 1
                return .error(.missingMinus)
            }
            if c == UInt8(ascii: ".") {
                var digits = 0
                if atEnd { return .eof(partial: start) }
                c = read()
                while Self.isDigit(c) {
                    digits += 1
                    if atEnd { return .eof(partial: start) }
                    c = read()
                }
                if digits == 0 {
                    pos -= 1
                    return .error(.missingDecimal)
                }
            }
            if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                if atEnd { return .eof(partial: start) }
                c = read()
                if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                    if atEnd { return .eof(partial: start) }
                    c = read()
                }
                if Self.isDigit(c) {
                    repeat {
                        if atEnd { return .eof(partial: start) }
                        c = read()
                    } while Self.isDigit(c)
                } else {
                    pos -= 1
                    return .error(.missingExponent)
                }
            }
            pos -= 1
            return .number
        }
    }

    // MARK: - The parser

    enum State: Equatable {
        case start, parseComplete
        case mapStart, mapNeedKey, mapSep, mapNeedVal, mapNeedComma
        case arrayStart, arrayNeedVal, arrayNeedComma
    }

    /// A container being filled (libvirt: `virJSONParserState`).
    enum Frame {
        case object([VirJSON.Member], key: String?)
        case array([VirJSON])
    }

    /// yajl's state stack and libvirt's value stack, kept across the two
    /// calls.
    struct Machine {
        var states: [State] = [.start]
        var frames: [Frame] = []
        var head: VirJSON?
        /// Where the token the first call's text ended in began.
        var partialStart: Int?
        /// The offset where the last call stopped (for "premature EOF").
        var lastOffset = 0

        /// One call of `yajl_do_parse` over `buf`, whose first `prefix`
        /// bytes are the unfinished token of the previous call (offsets
        /// count from after them, as yajl's lexer buffer does).
        ///
        /// - Returns: the error, or `nil` when the buffer is used up.
        mutating func run(_ buf: [UInt8], prefix: Int) -> Failure? {
            var lexer = Lexer(buf: buf)
            func offset(_ p: Int) -> Int { max(0, p - prefix) }
            func fail(_ kind: Failure.Kind, _ text: String, at p: Int) -> Failure {
                Failure(kind: kind, text: text, offset: offset(p))
            }
            func restored(_ tok: Token, _ start: Int, _ end: Int) -> Int {
                // yajl: "try to restore error offset", minus the token's
                // length (a string's without its quotes).
                var length = end - start
                if case .string = tok { length -= 2 }
                let o = offset(end)
                return o >= length ? o - length : 0
            }
            while true {
                guard let state = states.last else { return nil }
                if state == .parseComplete {
                    guard lexer.pos != buf.count else { return nil }
                    let (tok, _) = lexer.next()
                    if case .eof(let partial) = tok {
                        partialStart = partial
                        continue
                    }
                    return fail(.parse, "trailing garbage", at: lexer.pos)
                }
                let (tok, start) = lexer.next()
                let end = lexer.pos
                lastOffset = offset(end)
                switch tok {
                case .eof(let partial):
                    partialStart = partial
                    return nil
                case .error(let e):
                    return fail(.lexical, e.rawValue, at: end)
                default:
                    break
                }
                switch state {
                case .start, .mapNeedVal, .arrayNeedVal, .arrayStart:
                    var push: State?
                    let value: VirJSON
                    switch tok {
                    case .string(let escapes):
                        value = .string(Self.decodeString(buf[(start + 1)..<(end - 1)], escapes: escapes))
                    case .number: value = .number(String(decoding: buf[start..<end], as: UTF8.self))
                    case .bool(let b): value = .bool(b)
                    case .null: value = .null
                    case .leftBrace:
                        value = .object([])
                        push = .mapStart
                    case .leftBracket:
                        value = .array([])
                        push = .arrayStart
                    case .rightBracket where state == .arrayStart:
                        states.removeLast()
                        close()
                        continue
                    default:
                        return fail(.parse, "unallowed token at this point in JSON text", at: end)
                    }
                    guard insert(value, container: push != nil) else {
                        return fail(.parse, "client cancelled parse via callback return value", at: end)
                    }
                    switch state {
                    case .start: states[states.count - 1] = .parseComplete
                    case .mapNeedVal: states[states.count - 1] = .mapNeedComma
                    default: states[states.count - 1] = .arrayNeedComma
                    }
                    if let push {
                        guard states.count <= VirJSONParser.maxDepth else {
                            return fail(.parse, "nesting too deep (more than \(VirJSONParser.maxDepth) levels)", at: end)
                        }
                        states.append(push)
                    }
                case .mapStart, .mapNeedKey:
                    switch tok {
                    case .string(let escapes):
                        setKey(Self.decodeString(buf[(start + 1)..<(end - 1)], escapes: escapes))
                        states[states.count - 1] = .mapSep
                    case .rightBrace where state == .mapStart:
                        states.removeLast()
                        close()
                    default:
                        return fail(.parse, "invalid object key (must be a string)", at: end)
                    }
                case .mapSep:
                    guard tok == .colon else {
                        return fail(.parse, "object key and value must be separated by a colon (':')", at: end)
                    }
                    states[states.count - 1] = .mapNeedVal
                case .mapNeedComma:
                    switch tok {
                    case .rightBrace:
                        states.removeLast()
                        close()
                    case .comma:
                        states[states.count - 1] = .mapNeedKey
                    default:
                        return Failure(kind: .parse, text: "after key and value, inside map, I expect ',' or '}'",
                                       offset: restored(tok, start, end))
                    }
                case .arrayNeedComma:
                    switch tok {
                    case .rightBracket:
                        states.removeLast()
                        close()
                    case .comma:
                        states[states.count - 1] = .arrayNeedVal
                    default:
                        // yajl restores the offset after a map's value, not after an array's.
                        return fail(.parse, "after array element, I expect ',' or ']'", at: end)
                    }
                case .parseComplete:
                    break
                }
            }
        }

        /// Puts a value into the container being filled; a container
        /// value becomes the one being filled. `false` for a duplicate key.
        ///
        /// libvirt: `virJSONParserInsertValue` (with
        /// `virJSONValueObjectAppend`, which refuses a key seen before).
        mutating func insert(_ value: VirJSON, container: Bool) -> Bool {
            if let last = frames.last, case .object(let members, let key?) = last {
                if members.contains(where: { $0.key == key }) { return false }
            }
            if container {
                frames.append(value.isObject ? .object([], key: nil) : .array([]))
            } else {
                add(value)
            }
            return true
        }

        private mutating func add(_ value: VirJSON) {
            guard let last = frames.popLast() else {
                head = value
                return
            }
            switch last {
            case .object(var members, let key):
                members.append(VirJSON.Member(key ?? "", value))
                frames.append(.object(members, key: nil))
            case .array(var elements):
                elements.append(value)
                frames.append(.array(elements))
            }
        }

        mutating func setKey(_ key: String) {
            if case .object(let members, _)? = frames.popLast() {
                frames.append(.object(members, key: key))
            }
        }

        /// The container being filled is complete (libvirt:
        /// `virJSONParserHandleEndMap`, `virJSONParserHandleEndArray`).
        mutating func close() {
            guard let last = frames.popLast() else { return }
            switch last {
            case .object(let members, _): add(.object(members))
            case .array(let elements): add(.array(elements))
            }
        }

        /// A string token's content with its escapes decoded; it ends at
        /// a NUL, as the C string libvirt copies it into does.
        ///
        /// yajl: `yajl_string_decode`; libvirt: `g_strndup`.
        static func decodeString(_ raw: ArraySlice<UInt8>, escapes: Bool) -> String {
            var out: [UInt8] = []
            out.reserveCapacity(raw.count)
            var i = raw.startIndex
            func hex(_ at: Int) -> UInt32 {
                var v: UInt32 = 0
                for k in at..<(at + 4) where k < raw.endIndex {
                    let c = raw[k]
                    let d: UInt8 = c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10
                    v = v << 4 | UInt32(d)
                }
                return v
            }
            while i < raw.endIndex {
                let c = raw[i]
                guard escapes, c == UInt8(ascii: "\\"), i + 1 < raw.endIndex else {
                    out.append(c)
                    i += 1
                    continue
                }
                let e = raw[i + 1]
                i += 2
                switch e {
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var code = hex(i)
                    i += 4
                    if code & 0xFC00 == 0xD800 {
                        if i + 1 < raw.endIndex, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u") {
                            let low = hex(i + 2)
                            code = 0x10000 + ((code - 0xD800) << 10) + (low & 0x3FF)
                            i += 6
                        } else {
                            // yajl skips the byte after a lone high surrogate.
                            out.append(UInt8(ascii: "?"))
                            i += 1
                            continue
                        }
                    }
                    UTF8.encode(Unicode.Scalar(code) ?? "\u{FFFD}") { out.append($0) }
                default:
                    out.append(e)
                }
            }
            if let nul = out.firstIndex(of: 0) { out.removeSubrange(nul...) }
            return String(decoding: out, as: UTF8.self)
        }
    }
}
