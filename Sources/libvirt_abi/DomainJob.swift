/// The kind of job a domain runs (`virDomainJobType`); the numbers are libvirt's.
///
/// libvirt: `virDomainJobType` (include/libvirt/libvirt-domain.h).
public enum DomainJobType: Int32, Sendable {
    case none = 0, bounded, unbounded, completed, failed, cancelled
}

/// What a job does (`virDomainJobOperation`).
///
/// libvirt: `virDomainJobOperation`.
public enum DomainJobOperation: Int32, Sendable {
    case unknown = 0, start, save, restore, migrationIn, migrationOut, snapshot, snapshotRevert, dump, backup,
         snapshotDelete
}
