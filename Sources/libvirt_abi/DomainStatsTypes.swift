import CLibvirt

/// The groups of statistics a caller of `virConnectGetAllDomainStats` asks
/// for.
///
/// libvirt: `virDomainStatsTypes` (include/libvirt/libvirt-domain.h).
public struct DomainStatsTypes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    init(_ c: virDomainStatsTypes) { self.rawValue = c.rawValue }

    public static let state = DomainStatsTypes(VIR_DOMAIN_STATS_STATE)
    public static let cpuTotal = DomainStatsTypes(VIR_DOMAIN_STATS_CPU_TOTAL)
    public static let balloon = DomainStatsTypes(VIR_DOMAIN_STATS_BALLOON)
    public static let vcpu = DomainStatsTypes(VIR_DOMAIN_STATS_VCPU)
    public static let interface = DomainStatsTypes(VIR_DOMAIN_STATS_INTERFACE)
    public static let block = DomainStatsTypes(VIR_DOMAIN_STATS_BLOCK)
    public static let perf = DomainStatsTypes(VIR_DOMAIN_STATS_PERF)
    public static let iothread = DomainStatsTypes(VIR_DOMAIN_STATS_IOTHREAD)
    public static let memory = DomainStatsTypes(VIR_DOMAIN_STATS_MEMORY)
    public static let dirtyRate = DomainStatsTypes(VIR_DOMAIN_STATS_DIRTYRATE)
    public static let vm = DomainStatsTypes(VIR_DOMAIN_STATS_VM)
}

/// The flags of `virConnectGetAllDomainStats` beyond the list filters it
/// shares with `virConnectListAllDomains` (active, persistent, state).
///
/// libvirt: `virConnectGetAllDomainStatsFlags`.
public struct GetAllDomainStatsFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    init(_ c: virConnectGetAllDomainStatsFlags) { self.rawValue = c.rawValue }

    public static let nowait = GetAllDomainStatsFlags(VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT)
    public static let backing = GetAllDomainStatsFlags(VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING)
    public static let enforceStats = GetAllDomainStatsFlags(VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS)
    /// The list filters it accepts (`VIR_CONNECT_LIST_DOMAINS_FILTERS_ACTIVE`,
    /// `_PERSISTENT`, `_STATE`), as list flags.
    public static let listFilters = ListAllDomainsFlags.filtersActive.union(.filtersPersistent).union(.filtersState)
}
