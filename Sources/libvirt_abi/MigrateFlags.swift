import CLibvirt

/// Migration flags (`virDomainMigrateFlags`), plus the series' `local` bit.
///
/// libvirt: `virDomainMigrateFlags` (include/libvirt/libvirt-domain.h).
public struct MigrateFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    init(_ c: virDomainMigrateFlags) { self.rawValue = c.rawValue }

    public static let live = MigrateFlags(VIR_MIGRATE_LIVE)
    public static let peer2peer = MigrateFlags(VIR_MIGRATE_PEER2PEER)
    public static let tunnelled = MigrateFlags(VIR_MIGRATE_TUNNELLED)
    public static let persistDest = MigrateFlags(VIR_MIGRATE_PERSIST_DEST)
    public static let undefineSource = MigrateFlags(VIR_MIGRATE_UNDEFINE_SOURCE)
    public static let paused = MigrateFlags(VIR_MIGRATE_PAUSED)
    public static let nonSharedDisk = MigrateFlags(VIR_MIGRATE_NON_SHARED_DISK)
    public static let nonSharedInc = MigrateFlags(VIR_MIGRATE_NON_SHARED_INC)
    public static let changeProtection = MigrateFlags(VIR_MIGRATE_CHANGE_PROTECTION)
    public static let unsafe = MigrateFlags(VIR_MIGRATE_UNSAFE)
    public static let offline = MigrateFlags(VIR_MIGRATE_OFFLINE)
    public static let compressed = MigrateFlags(VIR_MIGRATE_COMPRESSED)
    public static let abortOnError = MigrateFlags(VIR_MIGRATE_ABORT_ON_ERROR)
    public static let autoConverge = MigrateFlags(VIR_MIGRATE_AUTO_CONVERGE)
    public static let rdmaPinAll = MigrateFlags(VIR_MIGRATE_RDMA_PIN_ALL)
    public static let postcopy = MigrateFlags(VIR_MIGRATE_POSTCOPY)
    public static let tls = MigrateFlags(VIR_MIGRATE_TLS)
    public static let parallel = MigrateFlags(VIR_MIGRATE_PARALLEL)
    public static let nonSharedSynchronousWrites = MigrateFlags(VIR_MIGRATE_NON_SHARED_SYNCHRONOUS_WRITES)
    public static let postcopyResume = MigrateFlags(VIR_MIGRATE_POSTCOPY_RESUME)
    public static let zerocopy = MigrateFlags(VIR_MIGRATE_ZEROCOPY)

    /// Patch 1 of the series: migrate to a new QEMU process on the same
    /// host. `1 << 21` is the first bit libvirt 9.0 leaves free.
    public static let local = MigrateFlags(rawValue: 1 << 21)

    /// Every flag libvirt 9.0 defines, plus `local`.
    public static let known: MigrateFlags = [
        .live, .peer2peer, .tunnelled, .persistDest, .undefineSource, .paused, .nonSharedDisk,
        .nonSharedInc, .changeProtection, .unsafe, .offline, .compressed, .abortOnError, .autoConverge,
        .rdmaPinAll, .postcopy, .tls, .parallel, .nonSharedSynchronousWrites, .postcopyResume, .zerocopy,
        .local,
    ]
}
