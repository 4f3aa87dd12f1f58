// libFuzzer target: the QMP JSON parser (Sources/qemu_monitor/JSONParser.swift),
// compiled together with the parser's own files by scripts/fuzz.sh.
//
// Every input must either be refused with a JSONParseError or parse to a
// value that, written back by JSONWriter, parses to the same value again
// (NaN aside, which JSON cannot carry). A crash, a sanitizer report, a
// timeout or a round trip that changes the value is a bug.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQMPJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSONParser.parse(bytes) else { return 0 }
    var text = ""
    JSONWriter.write(value, to: &text)
    guard let again = try? JSONParser.parse(Array(text.utf8)) else {
        fatalError("JSONWriter wrote what JSONParser refuses: \(text)")
    }
    if again != value && !containsNaN(value) {
        fatalError("round trip changed the value: \(value) -> \(text) -> \(again)")
    }
    return 0
}

private func containsNaN(_ v: JSONValue) -> Bool {
    switch v {
    case .double(let d): return d.isNaN
    case .array(let a): return a.contains(where: containsNaN)
    case .object(let o): return o.values.contains(where: containsNaN)
    default: return false
    }
}
