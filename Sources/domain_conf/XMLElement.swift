/// An XML element held in Swift: the form every document of this project
/// takes between parsing (libxml2) and formatting (libvirt's style).
///
/// Keeping the whole element, not only what the typed model understands, is
/// what lets `define` then `dumpxml` give back configuration this project
/// does not interpret.
public struct XMLElement: Hashable, Sendable {
    /// The qualified name (`prefix:local` when the element has a prefix).
    public var name: String
    /// Attributes in document order, namespace declarations included
    /// (`xmlns`, `xmlns:prefix`).
    public var attributes: [XMLAttribute]
    public var children: [XMLNode]

    public init(_ name: String, attributes: [XMLAttribute] = [], children: [XMLNode] = []) {
        self.name = name
        self.attributes = attributes
        self.children = children
    }

    /// An element holding only text: `<name>text</name>`.
    public init(_ name: String, text: String, attributes: [XMLAttribute] = []) {
        self.init(name, attributes: attributes, children: [.text(text)])
    }

    // MARK: reading

    public func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    /// The first child element of that name.
    public func child(_ name: String) -> XMLElement? {
        for case .element(let e) in children where e.name == name { return e }
        return nil
    }

    public func children(named name: String) -> [XMLElement] {
        children.compactMap { if case .element(let e) = $0, e.name == name { return e } else { return nil } }
    }

    public var elements: [XMLElement] {
        children.compactMap { if case .element(let e) = $0 { return e } else { return nil } }
    }

    /// The text of the element: its text children joined (libvirt reads
    /// `string(./x)` the same way for text-only elements).
    public var text: String {
        var s = ""
        for case .text(let t) in children { s += t }
        return s
    }

    /// The text of a child element, if there is such a child.
    public func childText(_ name: String) -> String? {
        child(name)?.text
    }

    // MARK: writing

    /// Sets an attribute in place, or appends it; `nil` removes it.
    public mutating func setAttribute(_ name: String, _ value: String?) {
        if let i = attributes.firstIndex(where: { $0.name == name }) {
            if let value { attributes[i].value = value } else { attributes.remove(at: i) }
        } else if let value {
            attributes.append(XMLAttribute(name, value))
        }
    }

    /// Replaces the children with one text node.
    public mutating func setText(_ text: String) {
        children = [.text(text)]
    }

    /// Replaces the first child of that name in place, or inserts it where
    /// `order` puts it; `nil` removes that first child. Later children of
    /// the same name are left alone.
    public mutating func setChild(_ name: String, _ element: XMLElement?, order: [String]) {
        let first = children.firstIndex { if case .element(let e) = $0 { return e.name == name } else { return false } }
        switch (first, element) {
        case let (i?, e?): children[i] = .element(e)
        case let (i?, nil): children.remove(at: i)
        case let (nil, e?):
            children.insert(.element(e), at: insertionIndex(for: name, order: order))
            dropLayout()
        case (nil, nil): break
        }
    }

    /// Whitespace-only text beside child elements is layout, as the parser
    /// leaves it out (`XMLParser`): an element that gets its first child
    /// element drops it too, so that it formats as it would once parsed
    /// again.
    private mutating func dropLayout() {
        children.removeAll { if case .text(let t) = $0 { return t.allSatisfy(\.isXMLSpace) } else { return false } }
    }

    /// Replaces the run of children with that name by `elements`, where the
    /// first of them was, or inserts them where `order` puts them.
    public mutating func setChildren(_ name: String, _ elements: [XMLElement], order: [String]) {
        let first = children.firstIndex { if case .element(let e) = $0 { return e.name == name } else { return false } }
        children.removeAll { if case .element(let e) = $0 { return e.name == name } else { return false } }
        let nodes = elements.map(XMLNode.element)
        if let first {
            children.insert(contentsOf: nodes, at: min(first, children.count))
            return
        }
        guard !nodes.isEmpty else { return }
        children.insert(contentsOf: nodes, at: insertionIndex(for: name, order: order))
        dropLayout()
    }

    /// Where a new child named `name` goes: before the first existing child
    /// that `order` places after it, else at the end.
    private func insertionIndex(for name: String, order: [String]) -> Int {
        guard let rank = order.firstIndex(of: name) else { return children.count }
        for (i, node) in children.enumerated() {
            guard case .element(let e) = node, let r = order.firstIndex(of: e.name) else { continue }
            if r > rank { return i }
        }
        return children.count
    }

    /// Puts the attributes named in `first` before the others, in that
    /// order (the others keep theirs): libvirt writes an element's
    /// attributes in its own order, whatever the input's.
    public mutating func orderAttributes(_ first: [String]) {
        let rank = Dictionary(uniqueKeysWithValues: first.enumerated().map { ($1, $0) })
        let leading = attributes.filter { rank[$0.name] != nil }.sorted { (rank[$0.name] ?? 0) < (rank[$1.name] ?? 0) }
        attributes = leading + attributes.filter { rank[$0.name] == nil }
    }

    /// Sets the text of a singleton child, creating it where `order` says.
    public mutating func setChildText(_ name: String, _ text: String?, order: [String]) {
        guard let text else { setChild(name, nil, order: order); return }
        var e = child(name) ?? XMLElement(name)
        e.setText(text)
        setChild(name, e, order: order)
    }

    // MARK: formatting

    /// The element in libvirt's layout: two-space indentation, single-quoted
    /// attributes, empty elements closed with `/>`, text kept inline.
    public func formatted(indent: Int = 0) -> String {
        var out = ""
        format(into: &out, indent: indent)
        return out
    }

    /// The element as libxml2 writes a node of a parsed document back
    /// (`xmlNodeDump`): double quotes, and its text (the document's
    /// indentation included) as it is, with no newline after it.
    ///
    /// libvirt: `virXMLNodeToString`, which virsh uses to print and send
    /// an element it took from a domain's XML (`change-media --print-xml`).
    public func dumped() -> String {
        var out = ""
        XMLNode.element(self).formatInline(into: &out, style: .libxml2)
        return out
    }

    /// The element with the text nodes that lay it out in a document
    /// libvirt wrote (a newline and two spaces a level before each child
    /// and before the end tag, `depth` its own level), as libxml2 keeps
    /// them in the document virsh parses; this parser leaves them out.
    /// `dumped()` of it is what virsh prints of a node it took from a
    /// domain's XML.
    public func laidOut(depth: Int) -> XMLElement {
        let elements = self.elements
        guard !elements.isEmpty, children.allSatisfy({ if case .text(let t) = $0 { return t.allSatisfy(\.isXMLSpace) } else { return true } })
        else { return self }
        var out = self
        out.children = elements.flatMap { [XMLNode.text("\n" + String(repeating: "  ", count: depth + 1)), .element($0.laidOut(depth: depth + 1))] }
            + [.text("\n" + String(repeating: "  ", count: depth))]
        return out
    }

    /// How an element is written: libvirt's own formatter, or libxml2's
    /// `xmlNodeDump`, which libvirt uses for what it keeps as a parsed tree
    /// (a domain's `<metadata>`): attributes in double quotes, escaped as
    /// libxml2 escapes them.
    enum Style {
        case libvirt, libxml2
    }

    /// Elements libvirt writes with `xmlNodeDump` (libvirt:
    /// `virDomainDefFormatInternal` for `def->metadata`).
    static let dumpedByLibxml2: Set<String> = ["metadata"]

    func format(into out: inout String, indent: Int, style: Style = .libvirt) {
        out += String(repeating: " ", count: indent)
        openTag(into: &out, style: style)
        if children.isEmpty {
            out += "/>\n"
            return
        }
        let hasElements = children.contains { if case .text = $0 { return false } else { return true } }
        let hasText = children.contains { if case .text(let t) = $0 { return !t.allSatisfy(\.isXMLSpace) } else { return false } }
        if !hasElements || hasText {
            // Text, or mixed content: written as it is, without added spacing.
            out += ">"
            for child in children { child.formatInline(into: &out, style: style) }
            out += "</\(name)>\n"
            return
        }
        out += ">\n"
        for child in children {
            switch child {
            case .element(let e):
                e.format(into: &out, indent: indent + 2, style: style == .libxml2 || Self.dumpedByLibxml2.contains(e.name) ? .libxml2 : .libvirt)
            case .comment(let c): out += String(repeating: " ", count: indent + 2) + "<!--\(c)-->\n"
            case .text: break
            }
        }
        out += String(repeating: " ", count: indent) + "</\(name)>\n"
    }

    func openTag(into out: inout String, style: Style = .libvirt) {
        out += "<" + name
        for a in attributes {
            switch style {
            case .libvirt: out += " \(a.name)='" + XMLElement.escape(a.value, attribute: true) + "'"
            case .libxml2: out += " \(a.name)=\"" + XMLElement.libxml2Escape(a.value, attribute: true) + "\""
            }
        }
    }

    /// Escapes as libxml2 writes text (`&`, `<`, `>`, carriage return) and
    /// double-quoted attribute values (also `"`, line feed and tab).
    ///
    /// libxml2: `xmlEscapeContent`, `xmlBufAttrSerializeTxtContent`.
    static func libxml2Escape(_ s: String, attribute: Bool) -> String {
        escape(s, attribute: attribute, style: .libxml2)
    }

    /// Escapes text the way libvirt's `virBufferEscapeString` does, plus
    /// line breaks inside attribute values so that they survive a re-parse.
    public static func escape(_ s: String, attribute: Bool = false) -> String {
        escape(s, attribute: attribute, style: .libvirt)
    }

    /// One escaper for both styles: libvirt's escapes quotes everywhere
    /// and a carriage return in attributes; libxml2's a double quote in
    /// attributes only and a carriage return everywhere.
    static func escape(_ s: String, attribute: Bool, style: Style) -> String {
        let libvirt = style == .libvirt
        func special(_ c: UInt8) -> Bool {
            switch c {
            case 0x26, 0x3C, 0x3E: return true
            case 0x27: return libvirt
            case 0x22: return libvirt || attribute
            case 0x0D: return !libvirt || attribute
            case 0x0A, 0x09: return attribute
            default: return false
            }
        }
        guard s.utf8.contains(where: special) else { return s }
        var r = ""
        r.reserveCapacity(s.utf8.count + 16)
        for ch in s.unicodeScalars {
            guard ch.isASCII, special(UInt8(ch.value)) else {
                r.unicodeScalars.append(ch)
                continue
            }
            switch ch {
            case "&": r += "&amp;"
            case "<": r += "&lt;"
            case ">": r += "&gt;"
            case "'": r += "&apos;"
            case "\"": r += "&quot;"
            case "\n": r += "&#10;"
            case "\r": r += "&#13;"
            default: r += "&#9;"
            }
        }
        return r
    }
}

/// One attribute of an element.
public struct XMLAttribute: Hashable, Sendable {
    public var name: String
    public var value: String
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A child of an element.
public enum XMLNode: Hashable, Sendable {
    case element(XMLElement)
    case text(String)
    case comment(String)

    func formatInline(into out: inout String, style: XMLElement.Style = .libvirt) {
        switch self {
        case .text(let t): out += style == .libxml2 ? XMLElement.libxml2Escape(t, attribute: false) : XMLElement.escape(t)
        case .comment(let c): out += "<!--\(c)-->"
        case .element(let e):
            e.openTag(into: &out, style: style)
            if e.children.isEmpty {
                out += "/>"
            } else {
                out += ">"
                for c in e.children { c.formatInline(into: &out, style: style) }
                out += "</\(e.name)>"
            }
        }
    }
}

extension Character {
    var isXMLSpace: Bool { self == " " || self == "\n" || self == "\t" || self == "\r" || self == "\r\n" }
}
