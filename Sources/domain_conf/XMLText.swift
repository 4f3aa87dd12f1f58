/// XML written line by line with libvirt's two-space indentation, for the
/// documents libvirt lays out by hand (capabilities, domain capabilities).
///
/// libvirt: `virBuffer` with `virBufferAdjustIndent`.
public struct XMLText: Sendable {
    public private(set) var text = ""
    private var depth = 0

    public init() {}

    /// A line at the current depth; `line` is written as given (it is
    /// already escaped).
    public mutating func line(_ line: String) {
        text += String(repeating: "  ", count: depth) + line + "\n"
    }

    /// `<name attrs>` and one level deeper. `tag` is the inside of the tag.
    public mutating func open(_ tag: String) {
        line("<\(tag)>")
        depth += 1
    }

    /// One level up and `</name>`.
    public mutating func close(_ name: String) {
        depth = max(depth - 1, 0)
        line("</\(name)>")
    }

    /// An empty line (libvirt separates capabilities' sections so).
    public mutating func blank() {
        text += "\n"
    }

    /// `<name>text</name>`, the text escaped as libvirt escapes it.
    public mutating func element(_ name: String, _ value: String, attributes: String = "") {
        line("<\(name)\(attributes)>\(XMLElement.escape(value))</\(name)>")
    }
}
