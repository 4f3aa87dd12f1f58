import libvirt_abi

/// A domain's `<metadata>`: applications' own elements, at most one per
/// XML namespace, kept and written back as libxml2 writes them.
///
/// libvirt: the `VIR_DOMAIN_METADATA_ELEMENT` cases of
/// `virDomainObjGetMetadata` and `virDomainDefSetMetadata`, with
/// `virXMLFindChildNodeByNs`, `virXMLExtractNamespaceXML` and
/// `virXMLInjectNamespace` (src/util/virxml.c).
public enum DomainMetadata {
    /// The element of namespace `uri`, without that namespace (neither its
    /// declaration nor the prefix of the elements in it), as libxml2
    /// writes it; `nil` when there is none.
    public static func element(_ def: DomainDef, namespace uri: String) -> String? {
        guard let metadata = def.node.child("metadata") else { return nil }
        let scope = declarations(metadata, in: declarations(def.node, in: [:]))
        guard let found = metadata.elements.first(where: { namespace(of: $0, in: scope) == uri }) else { return nil }
        var e = removing(uri, from: found, scope: scope)
        if let i = e.attributes.firstIndex(where: { isDeclaration($0.name) && $0.value == uri }) { e.attributes.remove(at: i) }
        var text = ""
        e.format(into: &text, indent: 0, style: .libxml2)
        if text.hasSuffix("\n") { text.removeLast() }
        return text
    }

    /// Puts `xml` in the metadata as namespace `uri` with prefix `key`
    /// (the elements of `xml` without a namespace get it), in place of
    /// what that namespace had; with `xml` `nil`, removes it.
    ///
    /// - Throws: `xml` is not one well-formed element, `key` is not a
    ///   name a namespace prefix can have.
    public static func set(_ def: inout DomainDef, xml: String?, key: String?, namespace uri: String) throws(VirError) {
        var new: XMLElement?
        if let xml {
            var root = try XMLParser.parse(xml, url: "(metadata_xml)")
            guard let key, isNCName(key) else {
                throw VirError(.internalError, "failed to validate prefix for a new XML namespace", domain: .xml)
            }
            guard !root.attributes.contains(where: { $0.name == "xmlns:" + key }) else {
                throw VirError(.internalError, "failed to create a new XML namespace", domain: .xml)
            }
            // libxml2 writes a node's namespace declarations before its
            // attributes, the new one after the others.
            let at = root.attributes.firstIndex { !isDeclaration($0.name) } ?? root.attributes.endIndex
            root.attributes.insert(XMLAttribute("xmlns:" + key, uri), at: at)
            new = adding(prefix: key, to: root, scope: [:])
        }
        var metadata = def.node.child("metadata") ?? XMLElement("metadata")
        let scope = declarations(metadata, in: declarations(def.node, in: [:]))
        metadata.children.removeAll { node in
            guard case .element(let e) = node else { return false }
            return namespace(of: e, in: scope) == uri
        }
        if let new {
            // Replacing what was kept as parsed: its layout goes too.
            metadata.children.removeAll { if case .text(let t) = $0 { return t.allSatisfy(\.isXMLSpace) } else { return false } }
            metadata.children.append(.element(new))
        }
        def.node.setChild("metadata", metadata, order: DomainDef.order)
    }

    // MARK: namespaces

    static func isDeclaration(_ attribute: String) -> Bool { attribute == "xmlns" || attribute.hasPrefix("xmlns:") }

    /// `scope` with the namespaces `e` declares (prefix, "" for the default).
    static func declarations(_ e: XMLElement, in scope: [String: String]) -> [String: String] {
        var s = scope
        for a in e.attributes where isDeclaration(a.name) {
            s[a.name == "xmlns" ? "" : String(a.name.dropFirst(6))] = a.value
        }
        return s
    }

    static func prefix(_ name: String) -> String? {
        name.firstIndex(of: ":").map { String(name[..<$0]) }
    }

    /// The namespace URI of element `e` in `scope` (its own declarations
    /// included); `nil` for none.
    static func namespace(of e: XMLElement, in scope: [String: String]) -> String? {
        let s = declarations(e, in: scope)
        let uri = s[prefix(e.name) ?? ""]
        return uri?.isEmpty == false ? uri : nil
    }

    /// libvirt: `virXMLRemoveElementNamespace` on every node.
    static func removing(_ uri: String, from e: XMLElement, scope: [String: String]) -> XMLElement {
        let s = declarations(e, in: scope)
        var out = e
        if namespace(of: e, in: scope) == uri, let p = prefix(e.name) {
            out.name = String(e.name.dropFirst(p.count + 1))
        }
        out.children = e.children.map { child in
            guard case .element(let c) = child else { return child }
            return .element(removing(uri, from: c, scope: s))
        }
        return out
    }

    /// libvirt: `virXMLAddElementNamespace` on every node: an element
    /// without a namespace gets `prefix`.
    static func adding(prefix key: String, to e: XMLElement, scope: [String: String]) -> XMLElement {
        let s = declarations(e, in: scope)
        var out = e
        if namespace(of: e, in: scope) == nil, prefix(e.name) == nil { out.name = key + ":" + e.name }
        out.children = e.children.map { child in
            guard case .element(let c) = child else { return child }
            return .element(adding(prefix: key, to: c, scope: s))
        }
        return out
    }

    /// An XML name without a colon (libxml2: `xmlValidateNCName`), in its
    /// ASCII form.
    static func isNCName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || $0 == "." || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }
}
