/// Whether the driver can talk to a domain's QEMU now, and since when not.
///
/// libvirt: `virDomainControlInfo` (include/libvirt/libvirt-domain.h).
public struct DomainControlInfo: Sendable, Equatable {
    /// `virDomainControlState`.
    public enum State: Int32, Sendable {
        case ok = 0
        /// An async job (a migration) holds the domain.
        case job = 1
        /// A job holds the domain.
        case occupied = 2
        case error = 3
    }

    public let state: State
    /// `virDomainControlErrorReason` when `state` is `error`.
    public let details: Int32
    /// Milliseconds the domain has been in `state` (not `ok`).
    public let stateTime: UInt64
}
