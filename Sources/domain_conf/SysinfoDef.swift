import libvirt_abi

/// The host's SMBIOS tables as `dmidecode` prints them, in libvirt's
/// `<sysinfo type='smbios'>` (`virsh sysinfo`).
///
/// Each field is found as libvirt finds it: the first `Key: ` after the
/// section's heading, anywhere later in the output, up to the end of its
/// line, trailing white space trimmed, absent when empty.
///
/// libvirt: `virSysinfoDef`, `virSysinfoReadDMI`, `virSysinfoFormat`
/// (src/util/virsysinfo.c).
public struct SysinfoDef: Sendable {
    /// One section: its element name and its entries in libvirt's order.
    public struct Section: Sendable {
        public var element: String
        public var entries: [(name: String, value: String)]
    }

    /// bios, system, baseBoard..., chassis, processor..., memory_device...
    public var sections: [Section] = []
    /// `OEM Strings`, when the output has that section.
    public var oemStrings: [String]?


    /// Each section: heading, element, and (dmidecode key, entry name) in order.
    static let layout: [(heading: String, element: String, repeats: Bool, fields: [(String, String)])] = [
        ("BIOS Information", "bios", false,
         [("Vendor", "vendor"), ("Version", "version"), ("Release Date", "date"), ("BIOS Revision", "release")]),
        ("System Information", "system", false,
         [("Manufacturer", "manufacturer"), ("Product Name", "product"), ("Version", "version"), ("Serial Number", "serial"),
          ("UUID", "uuid"), ("SKU Number", "sku"), ("Family", "family")]),
        ("Base Board Information", "baseBoard", true,
         [("Manufacturer", "manufacturer"), ("Product Name", "product"), ("Version", "version"), ("Serial Number", "serial"),
          ("Asset Tag", "asset"), ("Location In Chassis", "location")]),
        ("Chassis Information", "chassis", false,
         [("Manufacturer", "manufacturer"), ("Version", "version"), ("Serial Number", "serial"), ("Asset Tag", "asset"),
          ("SKU Number", "sku")]),
        ("Processor Information", "processor", true,
         [("Socket Designation", "socket_destination"), ("Type", "type"), ("Family", "family"),
          ("Manufacturer", "manufacturer"), ("Signature", "signature"), ("Version", "version"),
          ("External Clock", "external_clock"), ("Max Speed", "max_speed"), ("Status", "status"),
          ("Serial Number", "serial_number"), ("Part Number", "part_number")]),
        ("Memory Device", "memory_device", true,
         [("Size", "size"), ("Form Factor", "form_factor"), ("Locator", "locator"), ("Bank Locator", "bank_locator"),
          ("Type", "type"), ("Type Detail", "type_detail"), ("Speed", "speed"), ("Manufacturer", "manufacturer"),
          ("Serial Number", "serial_number"), ("Part Number", "part_number")]),
    ]

    public init() {}

    /// Parses `dmidecode -q -t 0,1,2,3,4,11,17`.
    ///
    /// - Parameter oemString: the raw text of OEM string N (1-based), for a
    ///   string whose printed form has a dot, which may stand for a line
    ///   break (libvirt runs `dmidecode --dump --oem-string N`).
    /// - Throws: "Malformed output of dmidecode" for a broken OEM string line.
    public static func parseDMI(_ text: String, oemString: (Int) throws(VirError) -> String) throws(VirError) -> SysinfoDef {
        let bytes = Array(text.utf8)
        var def = SysinfoDef()
        for section in layout {
            var from = 0
            while let heading = find(section.heading, in: bytes, from: from) {
                var entries: [(name: String, value: String)] = []
                var skip = false
                for (key, name) in section.fields {
                    guard let value = field(key, in: bytes, from: heading) else { continue }
                    // A slot without a module is no memory device.
                    if section.element == "memory_device" && key == "Size" && value.hasPrefix("No Module Installed") {
                        skip = true
                        break
                    }
                    entries.append((name, value))
                }
                if !skip && !entries.isEmpty { def.sections.append(Section(element: section.element, entries: entries)) }
                guard section.repeats else { break }
                from = heading + section.heading.utf8.count
            }
        }
        if let oem = find("OEM Strings", in: bytes, from: 0) {
            var strings: [String] = []
            var cur = oem
            var index = 1
            while let at = find("String ", in: bytes, from: cur) {
                var p = at + 7
                guard let eol = bytes[p...].firstIndex(of: 0x0A) else {
                    throw VirError(.internalError, "Malformed output of dmidecode")
                }
                while p < bytes.count, bytes[p] >= 0x30, bytes[p] <= 0x39 { p += 1 }
                guard p < bytes.count, bytes[p] == 0x3A else { throw VirError(.internalError, "Malformed output of dmidecode") }
                p += 2
                cur = eol
                guard p <= eol, let end = trimmedEnd(bytes, p, eol) else { continue }
                let shown = String(decoding: bytes[p..<end], as: UTF8.self)
                strings.append(shown.contains(".") ? try oemString(index) : shown)
                index += 1
            }
            def.oemStrings = strings
        }
        return def
    }

    /// libvirt's layout: two-space indents, `<entry name='...'>` per field.
    ///
    /// libvirt: `virSysinfoFormat`.
    public func format() -> String {
        var body = ""
        for s in sections {
            body += "  <\(s.element)>\n"
            for e in s.entries { body += "    <entry name='\(e.name)'>\(XMLElement.escape(e.value))</entry>\n" }
            body += "  </\(s.element)>\n"
        }
        if let oemStrings {
            body += "  <oemStrings>\n"
            for v in oemStrings { body += "    <entry>\(XMLElement.escape(v))</entry>\n" }
            body += "  </oemStrings>\n"
        }
        return body.isEmpty ? "<sysinfo type='smbios'/>\n" : "<sysinfo type='smbios'>\n" + body + "</sysinfo>\n"
    }

    // MARK: libvirt's way of finding a field

    /// `strstr` from `from`.
    static func find(_ needle: String, in bytes: [UInt8], from: Int) -> Int? {
        let n = Array(needle.utf8)
        guard !n.isEmpty, bytes.count >= n.count, from <= bytes.count - n.count else { return nil }
        var i = from
        while i <= bytes.count - n.count {
            if bytes[i] == n[0] && bytes[i..<(i + n.count)].elementsEqual(n) { return i }
            i += 1
        }
        return nil
    }

    /// The value of the first `KEY: ` after `from`: to the end of its line
    /// (or of the text), trailing white space trimmed; `nil` when empty
    /// (`virSkipSpacesBackwards`).
    static func field(_ key: String, in bytes: [UInt8], from: Int) -> String? {
        guard let at = find(key + ": ", in: bytes, from: from) else { return nil }
        let start = at + key.utf8.count + 2
        let eol = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
        guard let end = trimmedEnd(bytes, start, eol) else { return nil }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The end of `start..<end` without trailing white space; `nil` when
    /// nothing but white space is left.
    static func trimmedEnd(_ bytes: [UInt8], _ start: Int, _ end: Int) -> Int? {
        var e = end
        while e > start, [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains(bytes[e - 1]) { e -= 1 }
        var s = start
        while s < e, [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains(bytes[s]) { s += 1 }
        return s == e ? nil : e
    }
}
