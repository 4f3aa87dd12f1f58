import domain_conf

/// What a close callback is keyed by: one *instance* of a domain, its UUID
/// and its id. During a local migration the source and the incoming
/// instance share the UUID, and each needs its own callback.
public struct CloseCallbackInstance: Hashable, Sendable, CustomStringConvertible {
    public let uuid: DomainUUID
    public let id: Int

    public init(uuid: DomainUUID, id: Int) {
        self.uuid = uuid
        self.id = id
    }

    public var description: String { "\(uuid) (id \(id))" }
}
