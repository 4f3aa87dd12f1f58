import CLibXML2
import Synchronization
import libvirt_abi

/// The one place that touches libxml2's pointers: parsing text into an
/// `XMLElement` and validating documents against a RelaxNG schema.
///
/// Parsing never reaches the network (`XML_PARSE_NONET`), never substitutes
/// entities, never loads a DTD, refuses documents that declare one, and
/// refuses input over `XMLParser.maxInputBytes`.
public enum XMLParser {
    /// The largest document accepted: libvirt's RPC limit on one string
    /// (`REMOTE_STRING_MAX`, 4 MiB), which no domain XML comes near.
    public static let maxInputBytes = 4 * 1024 * 1024

    private static let initialized: Bool = {
        xmlInitParser()
        return true
    }()

    /// Parses a document and returns its root element.
    ///
    /// - Parameters:
    ///   - url: the name errors give the document, as libvirt names it
    ///     (`(domain_definition)`, a file path, ...).
    ///   - rootElement: the root element's required name, if any.
    ///   - schema: validate against this RelaxNG schema first.
    ///
    /// libvirt: `virXMLParseHelper` (src/util/virxml.c).
    public static func parse(_ text: String, url: String, rootElement: String? = nil,
                             schema: RelaxNGSchema? = nil) throws(VirError) -> XMLElement {
        _ = initialized
        let byteCount = text.utf8.count
        guard byteCount <= maxInputBytes else {
            throw VirError(.xmlError, "document '\(url)' is \(byteCount) bytes, over the limit of \(maxInputBytes) bytes", domain: .xml)
        }
        guard let ctxt = xmlNewParserCtxt() else {
            throw VirError(.noMemory, nil, domain: .xml)
        }
        defer { xmlFreeParserCtxt(ctxt) }

        let collector = ParseErrorCollector()
        let box = Unmanaged.passRetained(collector)
        defer { box.release() }
        ctxt.pointee._private = box.toOpaque()
        ctxt.pointee.sax.pointee.serror = parserErrorHandler

        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOERROR.rawValue)
        let doc: xmlDocPtr? = text.withCString { cstr in
            xmlCtxtReadMemory(ctxt, cstr, Int32(byteCount), url, nil, options)
        }
        guard let doc else {
            throw VirError(.xmlDetail, collector.message ?? "failed to parse xml document '\(url)'", domain: .xml)
        }
        defer { xmlFreeDoc(doc) }

        if doc.pointee.intSubset != nil || doc.pointee.extSubset != nil {
            throw VirError(.xmlError, "document '\(url)' has a document type declaration, which is not allowed", domain: .xml)
        }
        guard let root = xmlDocGetRootElement(doc) else {
            throw VirError(.internalError, "missing root element", domain: .xml)
        }
        let element = try convert(root)
        if let rootElement, element.name != rootElement {
            throw VirError(.xmlError, "expecting root element of '\(rootElement)', not '\(element.name)'", domain: .xml)
        }
        if let schema {
            try schema.validate(doc)
        }
        return element
    }

    /// The leading part of a document, read with libxml2's reader, which
    /// parses as it goes: the root element with its attributes and, whole,
    /// every child element before the first one named `stop`; then that
    /// element with its attributes and, as text-only elements, its own
    /// children named in `leaves`, up to the last of them. What comes after
    /// is not parsed, or checked, beyond the reader's current 512-byte
    /// chunk: a file whose writer puts a large element last (a status
    /// file's live definition) is read in part for what a caller needs at
    /// once, and whole (`parse`) when it needs the rest.
    ///
    /// - Returns: the root with the children read, and the `stop` element
    ///   with its leaves (`nil` when the document has none).
    ///
    /// libvirt: none (libvirt parses status files whole; see `parse`).
    public static func parseLeading(_ text: String, url: String, rootElement: String, stop: String,
                                    leaves: Set<String>) throws(VirError) -> (root: XMLElement, stop: XMLElement?) {
        _ = initialized
        let byteCount = text.utf8.count
        guard byteCount <= maxInputBytes else {
            throw VirError(.xmlError, "document '\(url)' is \(byteCount) bytes, over the limit of \(maxInputBytes) bytes", domain: .xml)
        }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOERROR.rawValue)
        var text = text
        let result = text.withUTF8 { buffer -> Result<(root: XMLElement, stop: XMLElement?), VirError> in
            let bytes = UnsafeRawPointer(buffer.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }
            guard let reader = xmlReaderForMemory(bytes, Int32(buffer.count), url, nil, options) else {
                return .failure(VirError(.noMemory, nil, domain: .xml))
            }
            defer { xmlFreeTextReader(reader) }
            do throws(VirError) {
                return .success(try readLeading(reader, url: url, rootElement: rootElement, stop: stop, leaves: leaves))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// libxml2's reader node types (`xmlReaderTypes`).
    private enum ReaderNode: Int32 {
        case element = 1, text = 3, cdata = 4, entityReference = 5, comment = 8, documentType = 10
        case whitespace = 13, significantWhitespace = 14, endElement = 15
    }

    private static func readLeading(_ reader: xmlTextReaderPtr, url: String, rootElement: String, stop: String,
                                    leaves: Set<String>) throws(VirError) -> (XMLElement, XMLElement?) {
        func string(_ p: UnsafePointer<xmlChar>?) -> String { p.map { String(cString: $0) } ?? "" }
        func attributes() -> [XMLAttribute] {
            var out: [XMLAttribute] = []
            while xmlTextReaderMoveToNextAttribute(reader) == 1 {
                out.append(XMLAttribute(string(xmlTextReaderConstName(reader)), string(xmlTextReaderConstValue(reader))))
            }
            xmlTextReaderMoveToElement(reader)
            return out
        }
        /// An element done: whitespace between its child elements is layout.
        func close(_ e: inout XMLElement) {
            if e.children.contains(where: { if case .element = $0 { return true } else { return false } }) {
                e.children.removeAll { if case .text(let t) = $0 { return t.allSatisfy(\.isXMLSpace) } else { return false } }
            }
        }
        func append(_ node: XMLNode, to e: inout XMLElement) {
            if case .text(let t) = node, case .text(let prev)? = e.children.last {
                e.children[e.children.count - 1] = .text(prev + t)
            } else {
                e.children.append(node)
            }
        }
        var open: [XMLElement] = []      // the root and the elements inside it being read
        var root: XMLElement?
        var stopElement: XMLElement?
        var leaf: XMLElement?
        var found: Set<String> = []
        reading: while true {
            let rc = xmlTextReaderRead(reader)
            if rc == 0 { break }
            guard rc == 1 else {
                var message = xmlGetLastError().flatMap { $0.pointee.message }.map { String(cString: $0) }
                while message?.last?.isNewline == true { message?.removeLast() }
                throw VirError(.xmlDetail, message.map { "\(url): \($0)" } ?? "failed to parse xml document '\(url)'", domain: .xml)
            }
            guard let type = ReaderNode(rawValue: xmlTextReaderNodeType(reader)) else { continue }
            let value = { string(xmlTextReaderConstValue(reader)) }
            switch type {
            case .documentType:
                throw VirError(.xmlError, "document '\(url)' has a document type declaration, which is not allowed", domain: .xml)
            case .entityReference:
                throw VirError(.xmlError, "entity references are not allowed", domain: .xml)
            case .element:
                let name = string(xmlTextReaderConstName(reader))
                let empty = xmlTextReaderIsEmptyElement(reader) == 1
                let element = XMLElement(name, attributes: attributes())
                if root == nil && open.isEmpty {
                    guard name == rootElement else {
                        throw VirError(.xmlError, "expecting root element of '\(rootElement)', not '\(name)'", domain: .xml)
                    }
                }
                if stopElement != nil {
                    // Inside the stop element: its leaves, nothing deeper.
                    guard leaf == nil, xmlTextReaderDepth(reader) == 2, leaves.contains(name) else { continue }
                    found.insert(name)
                    if empty {
                        stopElement?.children.append(.element(element))
                        if found == leaves { break reading }
                    } else {
                        leaf = element
                    }
                } else if open.count == 1 && name == stop {
                    stopElement = element
                    if empty || leaves.isEmpty { break reading }
                } else if empty {
                    if open.isEmpty { root = element; break reading }
                    var e = element
                    close(&e)
                    append(.element(e), to: &open[open.count - 1])
                } else {
                    open.append(element)
                }
            case .endElement:
                if stopElement != nil {
                    let depth = xmlTextReaderDepth(reader)
                    if depth <= 1 { break reading }  // the stop element ended
                    guard depth == 2, var l = leaf else { continue }
                    close(&l)
                    stopElement?.children.append(.element(l))
                    leaf = nil
                    if found == leaves { break reading }
                } else if var e = open.popLast() {
                    close(&e)
                    if open.isEmpty { root = e; break reading }
                    append(.element(e), to: &open[open.count - 1])
                }
            case .text, .cdata, .whitespace, .significantWhitespace:
                if var l = leaf {
                    if xmlTextReaderDepth(reader) == 3 { append(.text(value()), to: &l) }
                    leaf = l
                } else if stopElement == nil, !open.isEmpty {
                    append(.text(value()), to: &open[open.count - 1])
                }
            case .comment:
                if stopElement == nil, !open.isEmpty { open[open.count - 1].children.append(.comment(value())) }
            }
        }
        // Stopped inside the root: what was read of it.
        if root == nil, var r = open.first {
            close(&r)
            root = r
        }
        guard let root else { throw VirError(.internalError, "missing root element", domain: .xml) }
        return (root, stopElement)
    }

    /// Copies a libxml2 element into Swift. Whitespace-only text between
    /// child elements is layout, not content, and is dropped.
    private static func convert(_ node: xmlNodePtr) throws(VirError) -> XMLElement {
        var element = XMLElement(qualifiedName(node.pointee.name, node.pointee.ns))
        var ns = node.pointee.nsDef
        while let n = ns {
            let prefix = n.pointee.prefix.map { String(cString: $0) }
            let href = n.pointee.href.map { String(cString: $0) } ?? ""
            element.attributes.append(XMLAttribute(prefix.map { "xmlns:\($0)" } ?? "xmlns", href))
            ns = n.pointee.next
        }
        var attr = node.pointee.properties
        while let a = attr {
            let name = qualifiedName(a.pointee.name, a.pointee.ns)
            var value = ""
            if let v = xmlNodeListGetString(node.pointee.doc, a.pointee.children, 1) {
                value = String(cString: v)
                clibxml2_free(v)
            }
            element.attributes.append(XMLAttribute(name, value))
            attr = a.pointee.next
        }
        var child = node.pointee.children
        var sawElement = false
        while let c = child {
            switch c.pointee.type {
            case XML_ELEMENT_NODE:
                sawElement = true
                element.children.append(.element(try convert(c)))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                let t = c.pointee.content.map { String(cString: $0) } ?? ""
                if case .text(let prev)? = element.children.last {
                    element.children[element.children.count - 1] = .text(prev + t)
                } else {
                    element.children.append(.text(t))
                }
            case XML_COMMENT_NODE:
                element.children.append(.comment(c.pointee.content.map { String(cString: $0) } ?? ""))
            case XML_ENTITY_REF_NODE:
                throw VirError(.xmlError, "entity references are not allowed", domain: .xml)
            default:
                break
            }
            child = c.pointee.next
        }
        if sawElement {
            element.children.removeAll { if case .text(let t) = $0 { return t.allSatisfy(\.isXMLSpace) } else { return false } }
        }
        return element
    }

    private static func qualifiedName(_ name: UnsafePointer<xmlChar>?, _ ns: xmlNsPtr?) -> String {
        let local = name.map { String(cString: $0) } ?? ""
        if let p = ns?.pointee.prefix { return String(cString: p) + ":" + local }
        return local
    }
}

/// Collects the first fatal parser error with libvirt's context lines.
private final class ParseErrorCollector {
    var message: String?
}

/// Formats a fatal parse error the way libvirt's `catchXMLError` does:
/// `FILE:LINE: MESSAGE` then the offending line and a `----^` pointer.
private let parserErrorHandler: xmlStructuredErrorFunc = { userData, error in
    guard let error, let userData else { return }
    let ctxt = userData.assumingMemoryBound(to: xmlParserCtxt.self)
    guard let priv = ctxt.pointee._private else { return }
    let collector = Unmanaged<ParseErrorCollector>.fromOpaque(priv).takeUnretainedValue()
    guard collector.message == nil, error.pointee.level == XML_ERR_FATAL, let msg = error.pointee.message else { return }

    var contextLine = ""
    var pointer = ""
    if let input = ctxt.pointee.input, let base = input.pointee.base, let errorPosition = input.pointee.cur {
        var cur = errorPosition
        let isEOL = { (p: UnsafePointer<xmlChar>) in p.pointee == 0x0A || p.pointee == 0x0D }
        while cur > base && isEOL(cur) { cur -= 1 }
        while cur > base && !isEOL(cur) { cur -= 1 }
        if isEOL(cur) { cur += 1 }
        let col = errorPosition - cur
        var bytes: [UInt8] = []
        var p = cur
        while p.pointee != 0 && !isEOL(p) { bytes.append(p.pointee); p += 1 }
        contextLine = String(decoding: bytes, as: UTF8.self)
        for b in bytes.prefix(max(col, 0)) { pointer += b == 0x09 ? "\t" : "-" }
        pointer += "^"
    }
    let text = String(cString: msg)
    if let file = error.pointee.file {
        collector.message = "\(String(cString: file)):\(error.pointee.line): \(text)\(contextLine)\n\(pointer)"
    } else {
        collector.message = "at line \(error.pointee.line): \(text)\(contextLine)\n\(pointer)"
    }
}

/// A RelaxNG schema loaded once and shared; each validation uses its own
/// context, so validations may run concurrently.
///
/// libvirt: `virXMLValidator` (src/util/virxml.c).
public final class RelaxNGSchema: @unchecked Sendable {
    /// libvirt's installed domain schema (Debian's `libvirt0`).
    public static let domainSchemaPath = "/usr/share/libvirt/schemas/domain.rng"

    public let path: String
    private let schema: xmlRelaxNGPtr

    private static let cache = Mutex<[String: RelaxNGSchema]>([:])

    /// The schema at `path`, parsed on first use.
    public static func load(_ path: String) throws(VirError) -> RelaxNGSchema {
        if let s = cache.withLock({ $0[path] }) { return s }
        let s = try RelaxNGSchema(path: path)
        return cache.withLock { c in
            if let existing = c[path] { return existing }
            c[path] = s
            return s
        }
    }

    private init(path: String) throws(VirError) {
        xmlInitParser()
        self.path = path
        guard let parser = xmlRelaxNGNewParserCtxt(path) else {
            throw VirError(.internalError, "Unable to create RNG parser for \(path)", domain: .xml)
        }
        defer { xmlRelaxNGFreeParserCtxt(parser) }
        let collector = MessageCollector()
        let box = Unmanaged.passRetained(collector)
        defer { box.release() }
        xmlRelaxNGSetParserStructuredErrors(parser, collectMessage, box.toOpaque())
        guard let schema = xmlRelaxNGParse(parser) else {
            throw VirError(.internalError, "Unable to parse RNG \(path): \(collector.text)", domain: .xml)
        }
        self.schema = schema
    }

    deinit { xmlRelaxNGFree(schema) }

    /// Validates a document already parsed by `XMLParser`.
    fileprivate func validate(_ doc: xmlDocPtr) throws(VirError) {
        guard let valid = xmlRelaxNGNewValidCtxt(schema) else {
            throw VirError(.internalError, "Unable to create RNG validation context \(path)", domain: .xml)
        }
        defer { xmlRelaxNGFreeValidCtxt(valid) }
        let collector = MessageCollector()
        let box = Unmanaged.passRetained(collector)
        defer { box.release() }
        xmlRelaxNGSetValidStructuredErrors(valid, collectMessage, box.toOpaque())
        if xmlRelaxNGValidateDoc(valid, doc) != 0 {
            throw VirError(.xmlInvalidSchema, "Unable to validate doc against \(path)\n\(collector.text)", domain: .xml)
        }
    }
}

private final class MessageCollector {
    var text = ""
}

private let collectMessage: xmlStructuredErrorFunc = { userData, error in
    guard let userData, let error, let msg = error.pointee.message else { return }
    Unmanaged<MessageCollector>.fromOpaque(userData).takeUnretainedValue().text += String(cString: msg)
}
