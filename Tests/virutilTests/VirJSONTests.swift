import Testing
import libvirt_abi
import virutil

/// libvirt 9.0's JSON (yajl underneath) as `virsh qemu-monitor-command`
/// shows it: member order and number text kept, the compact and pretty
/// layouts, and the parser's errors with their context lines. The expected
/// texts are what Debian's virsh 9.0 printed for the same input.
struct VirJSONTests {
    /// QEMU's reply to `query-version`, as QEMU writes it.
    static let reply = #"{"return": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "id": "libvirt-411"}"#

    @Test func compactTextKeepsOrderAndNumbers() throws {
        let v = try VirJSON.parse(Self.reply)
        #expect(try v.format() == #"{"return":{"qemu":{"micro":22,"minor":2,"major":7},"package":"Debian 1:7.2+dfsg-7+deb12u18+b3"},"id":"libvirt-411"}"#)
        #expect(try VirJSON.parse(#"[1.50, -0, 1E+3, 18446744073709551616, true, null, "a\/b"]"#).format()
                == #"[1.50,-0,1E+3,18446744073709551616,true,null,"a/b"]"#)
        #expect(v["id"] == .string("libvirt-411"))
        #expect(v["return"]?["package"]?.stringValue == "Debian 1:7.2+dfsg-7+deb12u18+b3")
        #expect(v["nosuch"] == nil)
    }

    @Test func prettyLayoutIsYajls() throws {
        let v = try VirJSON.parse(Self.reply)
        #expect(try v.format(pretty: true) == """
            {
              "return": {
                "qemu": {
                  "micro": 22,
                  "minor": 2,
                  "major": 7
                },
                "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"
              },
              "id": "libvirt-411"
            }

            """)
        // Empty containers are broken over two lines.
        #expect(try VirJSON.parse(#"{"return": [], "id": "libvirt-426"}"#).format(pretty: true) == """
            {
              "return": [

              ],
              "id": "libvirt-426"
            }

            """)
        #expect(try VirJSON.parse(#"[{}]"#).format(pretty: true) == "[\n  {\n\n  }\n]\n")
        #expect(try VirJSON.string("VM status: running\r\n").format(pretty: true) == "\"VM status: running\\r\\n\"\n")
    }

    @Test func stringsAreEscapedAsYajlDoes() throws {
        let v = try VirJSON.parse(#""q\" b\\ \b\f\n\r\t \u0001 \u001f \u00e9 \ud83d\ude00 /""#)
        #expect(v == .string("q\" b\\ \u{08}\u{0C}\n\r\t \u{01} \u{1F} é 😀 /"))
        #expect(try v.format() == #""q\" b\\ \b\f\n\r\t \u0001 \u001F é 😀 /""#)
        // A NUL ends the string, as the C string libvirt copies it into.
        #expect(try VirJSON.parse(#""ab\u0000cd""#) == .string("ab"))
    }

    @Test func duplicateKeysAndAppending() throws {
        var v = try VirJSON.parse(#"{"execute":"query-status"}"#)
        try v.append("id", .string("libvirt-1"))
        #expect(try v.format() == #"{"execute":"query-status","id":"libvirt-1"}"#)
        #expect(throws: VirError(.internalError, "duplicate key 'id'", domain: .none)) { try v.append("id", .string("x")) }
        var a = VirJSON.array([])
        #expect(throws: VirError(.internalError, "expecting JSON object", domain: .none)) { try a.append("id", .null) }
    }

    @Test func nestingDeeperThanYajlsGeneratorCannotBeFormatted() throws {
        let deep = try VirJSON.parse(String(repeating: "[", count: 128) + String(repeating: "]", count: 128))
        #expect(throws: VirError(.internalError, "failed to convert virJSONValue to yajl data", domain: .none)) { try deep.format() }
        let fits = try VirJSON.parse(String(repeating: "[", count: 127) + String(repeating: "]", count: 127))
        #expect(try fits.format().count == 254)
    }

    /// What virsh printed for `qemu-monitor-command DOM foo ARG`: the
    /// wrapped text, yajl's error, and the offset under the arrow.
    static let errors: [(text: String, error: String, offset: Int)] = [
        ("{bar}", "lexical error: invalid char in json text.", 2),
        ("{{bar}}", "parse error: invalid object key (must be a string)", 2),
        (#"{"a":}"#, "parse error: unallowed token at this point in JSON text", 6),
        (#"{"a":1 "b"}"#, "parse error: after key and value, inside map, I expect ',' or '}'", 9),
        ("{tru}", "lexical error: invalid string in json text.", 4),
        (#"{"a":tru}"#, "lexical error: invalid string in json text.", 8),
        (#"{"a":-}"#, "lexical error: malformed number, a digit is required after the minus sign.", 6),
        (#"{"a":1.}"#, "lexical error: malformed number, a digit is required after the decimal point.", 7),
        (#"{"a":"x\q"}"#, #"lexical error: inside a string, '\' occurs before a character which it may not."#, 8),
        ("{1}", "parse error: invalid object key (must be a string)", 2),
        (#"{"a" 1}"#, "parse error: object key and value must be separated by a colon (':')", 6),
        (#"{"a":[1}"#, "parse error: after array element, I expect ',' or ']'", 8),
        (#"{"a":01}"#, "parse error: after key and value, inside map, I expect ',' or '}'", 6),
        (#"{"a":1e}"#, "lexical error: malformed number, a digit is required after the exponent.", 7),
        (#"{"a":nul}"#, "lexical error: invalid string in json text.", 8),
        (#"{"a":"\u12}"#, #"lexical error: invalid (non-hex) character occurs after '\u' inside string."#, 10),
        ("{/x}", "lexical error: probable comment found in input text, comments are not enabled.", 1),
        (#"{"a":[1,]}"#, "parse error: unallowed token at this point in JSON text", 9),
        (#"{"a":{"b"}}"#, "parse error: object key and value must be separated by a colon (':')", 10),
        (#"{"a":1,}"#, "parse error: invalid object key (must be a string)", 8),
        (#"{"a":"x}"#, "parse error: premature EOF", 1),
        (#"{"a":1}}"#, "parse error: trailing garbage", 8),
        (#"{"a":1,"a":2}"#, "parse error: client cancelled parse via callback return value", 12),
        (#"{"a":[1 2]}"#, "parse error: after array element, I expect ',' or ']'", 9),
        (#"{"a":truex}"#, "lexical error: invalid char in json text.", 10),
        (#"{"a":tr}"#, "lexical error: invalid string in json text.", 7),
    ]

    @Test(arguments: errors.indices) func errorsReadAsLibvirts(_ i: Int) {
        let (text, error, offset) = Self.errors[i]
        let context = String(repeating: " ", count: 40 - offset) + text
        let expected = "cannot parse json \(text): \(error)\n\(context)\n                     (right here) ------^\n"
        #expect(throws: VirError(.internalError, expected, domain: .none)) { try VirJSON.parse(text) }
    }

    @Test func errorContextOfALongTextAndAtTheEnd() throws {
        // Past 30 bytes the context starts 30 bytes before the offset.
        let key = String(repeating: "a", count: 51), value = String(repeating: "b", count: 48)
        let text = "{\"\(key)\":\(value)}"
        let context = String(repeating: " ", count: 10) + String(text.dropFirst(26).prefix(60))
        #expect(throws: VirError(.internalError, "cannot parse json \(text): lexical error: invalid char in json text.\n\(context)\n                     (right here) ------^\n", domain: .none)) {
            try VirJSON.parse(text)
        }
        // A token the text ends in is finished by yajl's second call, whose
        // offsets count from the one space it feeds.
        #expect(throws: VirError(.internalError, "cannot parse json [tr: lexical error: invalid string in json text.\n" + String(repeating: " ", count: 40) + "[tr\n                     (right here) ------^\n", domain: .none)) {
            try VirJSON.parse("[tr")
        }
        #expect(throws: VirError(.internalError, "cannot parse json : parse error: premature EOF\n" + String(repeating: " ", count: 39) + "\n                     (right here) ------^\n", domain: .none)) {
            try VirJSON.parse("")
        }
        #expect(try VirJSON.parse(" 12 ") == .number("12"))
        #expect(try VirJSON.parse("12") == .number("12"))
    }
}
