import domain_conf

/// A domain as the API hands it to clients: name, UUID, and id while it runs.
///
/// libvirt: `virDomain` (`virDomainPtr`), built by `virGetDomain`.
public struct DomainRef: Sendable, Hashable {
    public let name: String
    public let uuid: DomainUUID
    /// The live id; `nil` when shut off (libvirt's -1).
    public let id: Int?

    public init(name: String, uuid: DomainUUID, id: Int?) {
        self.name = name
        self.uuid = uuid
        self.id = id
    }
}
