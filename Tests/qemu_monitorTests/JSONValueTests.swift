import Foundation
import Testing
import qemu_monitor

@Suite struct JSONValueTests {
    @Test(arguments: [
        "17179869184", "0", "-1", "9223372036854775807", "-9223372036854775808",
        "18446744073709551615", "9223372036854775808",
    ])
    func integersRoundTripExactly(text: String) throws {
        let value = try JSONValue(parsing: text)
        #expect(value.jsonString == text)
        switch value {
        case .int, .uint: break
        default: Issue.record("\(text) parsed as \(value)")
        }
    }

    @Test func bigSizesKeepTheirValue() throws {
        let value = try JSONValue(parsing: #"{"total": 17179869184, "max": 18446744073709551615, "neg": -5}"#)
        #expect(value["total"] == .int(17_179_869_184))
        #expect(value["total"]?.int64Value == 17_179_869_184)
        #expect(value["total"]?.uint64Value == 17_179_869_184)
        #expect(value["max"] == .uint(UInt64.max))
        #expect(value["max"]?.int64Value == nil)
        #expect(value["max"]?.uint64Value == UInt64.max)
        #expect(value["neg"]?.uint64Value == nil)
        #expect(JSONValue(UInt64.max) == .uint(UInt64.max))
        #expect(JSONValue(UInt64(5)) == .int(5))
        #expect(try JSONValue(parsing: JSONValue.object(["x": .uint(UInt64.max)]).jsonString)["x"] == .uint(UInt64.max))
    }

    @Test func writerAndParserRoundTripKeepsBigIntegers() throws {
        let value: JSONValue = ["size": .int(17_179_869_184), "huge": .uint(UInt64.max), "list": [1, 2.5, "x", nil, true]]
        #expect(try JSONValue(parsing: value.jsonString) == value)
    }

    /// Found by `make fuzz` (Fuzz/corpus/qmp-json/crash-exponent-overflow-became-infinity):
    /// an exponent out of range parsed to infinity, which JSONWriter then
    /// wrote as null. Such numbers are refused, as yajl refuses them.
    @Test func numbersOutOfRangeAreRefused() throws {
        for (text, reason) in [("18e446773709551615", "numeric (floating point) overflow"), ("-1e999", "numeric (floating point) overflow"),
                               ("18446744073709551616", "integer overflow"), ("-9223372036854775809", "integer overflow")] {
            #expect(throws: JSONParseError(reason, offset: 1)) { try JSONValue(parsing: "[\(text)]") }
        }
        #expect(try JSONValue(parsing: "1.7976931348623157e308") == .double(.greatestFiniteMagnitude))
    }

    @Test func doublesAndLiterals() throws {
        let value = try JSONValue(parsing: #" [1.5, -0.25, 1e3, 2E-2, true, false, null] "#)
        #expect(value == [1.5, -0.25, 1000.0, 0.02, true, false, nil])
        #expect(value[0]?.doubleValue == 1.5)
        #expect(value[2]?.int64Value == 1000)
        #expect(value[7] == nil)
        #expect(JSONValue.double(2).jsonString == "2.0")
        #expect(JSONValue.double(.infinity).jsonString == "null")
    }

    @Test func stringsEscapeAndUnescape() throws {
        let text = #""quote \" backslash \\ slash \/ nl \n tab \t ctl \u0001 e \u00e9 smile \ud83d\ude00""#
        let value = try JSONValue(parsing: text)
        #expect(value.stringValue == "quote \" backslash \\ slash / nl \n tab \t ctl \u{01} e é smile 😀")
        let encoded = value.jsonString
        #expect(encoded == #""quote \" backslash \\ slash / nl \n tab \t ctl \u0001 e é smile 😀""#)
        #expect(try JSONValue(parsing: encoded) == value)
        // A lone surrogate becomes U+FFFD instead of an error.
        #expect(try JSONValue(parsing: #""\ud800x""#).stringValue == "\u{FFFD}x")
    }

    @Test func objectsEncodeCompactlyWithSortedKeys() throws {
        let value: JSONValue = ["execute": "migrate", "arguments": ["uri": "unix:/run/x.sock", "detach": true]]
        #expect(value.jsonString == #"{"arguments":{"detach":true,"uri":"unix:/run/x.sock"},"execute":"migrate"}"#)
        #expect(value["arguments"]?["uri"]?.stringValue == "unix:/run/x.sock")
        #expect(value["missing"] == nil)
        #expect(value.objectValue?.count == 2)
        #expect(JSONValue.string("x")["key"] == nil)
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "[1 2]", "{\"a\" 1}", "{\"a\":1,}", "{1:2}", "01", "-", "1.", "1e", ".5",
        "nul", "tru", "\"abc", "\"\u{01}\"", "\"\\x\"", "\"\\u12\"", "1 2", "[1]]", "NaN", "'a'",
    ])
    func malformedInputIsAnError(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000)
        let error = #expect(throws: JSONParseError.self) { try JSONValue(parsing: deep) }
        #expect(error?.reason == "nesting too deep")
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try JSONValue(parsing: fine) }
    }
}
