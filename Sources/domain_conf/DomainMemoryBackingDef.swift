import libvirt_abi

/// `<memoryBacking>`: where guest RAM comes from and whether another
/// process may map it.
///
/// libvirt: the `mem` fields of `virDomainDef` (src/conf/domain_conf.h).
public struct DomainMemoryBackingDef: Hashable, Sendable {
    /// `<source type=...>`.
    public enum Source: String, Sendable { case file, anonymous, memfd }
    /// `<access mode=...>`.
    public enum Access: String, Sendable { case shared, `private` }

    public var source: Source?
    public var access: Access?
    public var hugepages: Bool
    public var node: XMLElement

    static let order = ["hugepages", "nosharepages", "locked", "source", "access", "allocation", "discard"]

    public init(source: Source? = nil, access: Access? = nil, hugepages: Bool = false) {
        self.source = source
        self.access = access
        self.hugepages = hugepages
        self.node = XMLElement("memoryBacking")
    }

    init(element: XMLElement) throws(VirError) {
        node = element
        if let t = element.child("source")?.attribute("type") {
            guard let s = Source(rawValue: t) else {
                throw VirError.conf(.xmlError, "unknown memoryBacking/source/type '\(t)'")
            }
            source = s
        }
        if let m = element.child("access")?.attribute("mode") {
            guard let a = Access(rawValue: m) else {
                throw VirError.conf(.xmlError, "unknown memoryBacking/access/mode '\(m)'")
            }
            access = a
        }
        hugepages = element.child("hugepages") != nil
    }

    /// Guest RAM in a named file that a second QEMU can map too: what local
    /// migration needs for `x-ignore-shared`.
    public var isSharedFile: Bool { source == .file && access == .shared && !hugepages }

    /// Guest RAM another process can be handed (a shared file or memfd):
    /// what `cpr-transfer` needs to leave it in place.
    public var isShareable: Bool { (source == .file || source == .memfd) && access == .shared && !hugepages }

    var element: XMLElement {
        var e = node
        e.setChild("hugepages", hugepages ? (node.child("hugepages") ?? XMLElement("hugepages")) : nil, order: Self.order)
        e.setChild("source", source.map { s in
            var x = node.child("source") ?? XMLElement("source")
            x.setAttribute("type", s.rawValue)
            return x
        }, order: Self.order)
        e.setChild("access", access.map { a in
            var x = node.child("access") ?? XMLElement("access")
            x.setAttribute("mode", a.rawValue)
            return x
        }, order: Self.order)
        return e
    }
}
