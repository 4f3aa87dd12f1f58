import CLibvirt

/// Filters for listing domains (`virConnectListAllDomainsFlags`).
///
/// libvirt: `virConnectListAllDomainsFlags` (include/libvirt/libvirt-domain.h).
public struct ListAllDomainsFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    init(_ c: virConnectListAllDomainsFlags) { self.rawValue = c.rawValue }

    public static let active = ListAllDomainsFlags(VIR_CONNECT_LIST_DOMAINS_ACTIVE)
    public static let inactive = ListAllDomainsFlags(VIR_CONNECT_LIST_DOMAINS_INACTIVE)
    public static let persistent = ListAllDomainsFlags(VIR_CONNECT_LIST_DOMAINS_PERSISTENT)
    public static let transient = ListAllDomainsFlags(VIR_CONNECT_LIST_DOMAINS_TRANSIENT)
    public static let running = ListAllDomainsFlags(VIR_CONNECT_LIST_DOMAINS_RUNNING)
    public static let paused = ListAllDomainsFlags(VIR_CONNECT_LIST_DOMAINS_PAUSED)
    public static let shutoff = ListAllDomainsFlags(VIR_CONNECT_LIST_DOMAINS_SHUTOFF)
    public static let other = ListAllDomainsFlags(VIR_CONNECT_LIST_DOMAINS_OTHER)
    public static let managedSave = ListAllDomainsFlags(VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE)
    public static let noManagedSave = ListAllDomainsFlags(VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE)
    public static let autostart = ListAllDomainsFlags(VIR_CONNECT_LIST_DOMAINS_AUTOSTART)
    public static let noAutostart = ListAllDomainsFlags(VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART)
    public static let hasSnapshot = ListAllDomainsFlags(VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT)
    public static let noSnapshot = ListAllDomainsFlags(VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT)
    public static let hasCheckpoint = ListAllDomainsFlags(VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT)
    public static let noCheckpoint = ListAllDomainsFlags(VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT)

    /// The pairs of filters libvirt groups (`VIR_CONNECT_LIST_DOMAINS_FILTERS_*`).
    public static let filtersActive: ListAllDomainsFlags = [.active, .inactive]
    public static let filtersPersistent: ListAllDomainsFlags = [.persistent, .transient]
    public static let filtersState: ListAllDomainsFlags = [.running, .paused, .shutoff, .other]
    public static let filtersManagedSave: ListAllDomainsFlags = [.managedSave, .noManagedSave]
    public static let filtersAutostart: ListAllDomainsFlags = [.autostart, .noAutostart]
    public static let filtersSnapshot: ListAllDomainsFlags = [.hasSnapshot, .noSnapshot]
    public static let filtersCheckpoint: ListAllDomainsFlags = [.hasCheckpoint, .noCheckpoint]
}
