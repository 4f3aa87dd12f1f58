import domain_conf
import libvirt_abi

/// A status file read up to its live definition's name and UUID: all a
/// new driver needs to find the instance again, put the domain in its
/// tables and list it. The definition itself (most of the file, and most of
/// the cost of reading it) is parsed when a command needs it (`read()`).
///
/// A status file puts its live definition last (`QemuStatusFile.format`),
/// so nothing else is left unread.
public struct QemuStatusHeader: Sendable {
    public let path: String
    public let instance: QemuStatusFile.Instance
    /// The live definition's name, UUID and id.
    public let name: String
    public let uuid: DomainUUID
    public let id: Int?
    /// The file as it was read, for `read()`; `nil` for a header from the
    /// index (`QemuStatusIndex`), whose file is read then.
    let text: String?

    /// Reads a status file's header.
    public init(path: String) throws(VirError) {
        try self.init(try QemuStatusFile.text(at: path), path: path)
    }

    public init(_ text: String, path: String) throws(VirError) {
        let (root, domain) = try XMLParser.parseLeading(text, url: path, rootElement: "domstatus", stop: "domain",
                                                         leaves: ["name", "uuid"])
        guard let domain else {
            throw VirError.conf(.internalError, "no domain element in status file \(path)")
        }
        guard let name = domain.childText("name"), !name.isEmpty,
              let uuid = domain.childText("uuid").flatMap(DomainUUID.init) else {
            throw VirError.conf(.internalError, "no domain name or uuid in status file \(path)")
        }
        self.path = path
        self.text = text
        instance = try QemuStatusFile.Instance(root, path: path)
        self.name = name
        self.uuid = uuid
        id = domain.attribute("id").flatMap(Int.init)
    }

    /// A header from the index.
    init(path: String, instance: QemuStatusFile.Instance, name: String, uuid: DomainUUID, id: Int?) {
        self.path = path
        self.text = nil
        self.instance = instance
        self.name = name
        self.uuid = uuid
        self.id = id
    }

    /// The whole file, live definition included. A header from the index
    /// reads its file now: the root's lock keeps anyone else from writing
    /// it, and a driver writes it only after reading it.
    public func read() throws(VirError) -> QemuStatusFile {
        let whole: String
        if let text { whole = text } else { whole = try QemuStatusFile.text(at: path) }
        let status = try QemuStatusFile.parse(whole, path: path)
        guard status.def.name == name, status.def.uuid == uuid else {
            throw VirError.conf(.internalError, "status file \(path) no longer describes domain \(name)")
        }
        return status
    }
}
