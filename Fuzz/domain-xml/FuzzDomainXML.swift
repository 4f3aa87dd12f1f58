// libFuzzer target: the domain XML parser (Sources/domain_conf, libxml2
// underneath), built by scripts/fuzz.sh with SwiftPM.
//
// Every input must be refused with a VirError or parse to a definition
// whose formatted XML parses again and formats to the same text. A crash,
// a sanitizer report, a timeout or a round trip that changes the text is a
// bug.
import domain_conf

func fuzzDomainXML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: data == nil ? 0 : size), as: UTF8.self)
    for inactive in [true, false] {
        guard let def = try? DomainDef.parse(text, inactive: inactive) else { continue }
        let xml = def.format()
        let again: DomainDef
        do { again = try DomainDef.parse(xml, inactive: inactive) } catch {
            fatalError("the formatted definition is refused (\(error)):\n\(xml)")
        }
        let xml2 = again.format()
        if xml2 != xml { fatalError("format, parse, format changed the text:\n\(xml)\n---\n\(xml2)") }
    }
    return 0
}
