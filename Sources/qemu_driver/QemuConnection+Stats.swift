import libvirt_abi
import virdomainobjlist

/// One domain's statistics (`virDomainStatsRecord`): the domain and its
/// typed parameters, named as libvirt names them (`state.state`, ...).
public struct DomainStatsRecord: Sendable, Hashable {
    public let dom: DomainRef
    public let params: [TypedParameter]

    public init(dom: DomainRef, params: [TypedParameter]) {
        self.dom = dom
        self.params = params
    }
}

/// Statistics of many domains in one call: what `virsh domstats` and a
/// monitoring agent ask for, and what lets `virsh list` learn every state
/// without one round trip per domain.
extension QemuConnection {
    /// The groups this driver gathers. The others are left out of the
    /// records, or refused with `VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS`,
    /// as libvirt does with groups a QEMU cannot provide.
    public static let supportedStats: DomainStatsTypes = [.state]

    /// The statistics of every domain that matches the list filters in
    /// `flags`, or of the domains in `doms` that still exist and match
    /// them (`virDomainListGetStats`); `stats` empty asks for every group
    /// this driver supports.
    ///
    /// libvirt: `qemuConnectGetAllDomainStats`.
    public func allDomainStats(_ doms: [DomainRef]? = nil, stats: DomainStatsTypes, flags: UInt32) throws(VirError) -> [DomainStatsRecord] {
        let filters = GetAllDomainStatsFlags.listFilters.rawValue
        let allowed = filters | GetAllDomainStatsFlags.nowait.rawValue | GetAllDomainStatsFlags.backing.rawValue
            | GetAllDomainStatsFlags.enforceStats.rawValue
        try Self.checkFlags(flags, allowed: allowed, "qemuConnectGetAllDomainStats")
        var requested = stats.isEmpty ? Self.supportedStats : stats
        let unsupported = requested.subtracting(Self.supportedStats)
        if !unsupported.isEmpty {
            if GetAllDomainStatsFlags(rawValue: flags).contains(.enforceStats) {
                throw VirError(.argumentUnsupported,
                               "Stats types bits 0x\(String(unsupported.rawValue, radix: 16)) are not supported by this daemon or QEMU")
            }
            requested = requested.intersection(Self.supportedStats)
        }
        let filter = ListAllDomainsFlags(rawValue: flags & filters)
        let objs: [DomainObj]
        if let doms {
            // Those gone since the caller listed them are skipped.
            objs = doms.compactMap { domains.findByUUID($0.uuid) }.filter { filter.isEmpty || $0.matches(filter) }
        } else {
            objs = domains.list(filter)
        }
        return objs.map { obj in
            let (ref, state) = obj.withLock { f in (DomainRef(name: f.name, uuid: obj.uuid, id: f.id), f.state) }
            var params: [TypedParameter] = []
            if requested.contains(.state) {
                params.append(TypedParameter("state.state", .int(state.state.rawValue)))
                params.append(TypedParameter("state.reason", .int(state.rawReason)))
            }
            return DomainStatsRecord(dom: ref, params: params)
        }
    }
}
