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
