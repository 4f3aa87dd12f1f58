import Foundation
import libvirt_abi

/// `domstats`: statistics of the domains named, or of every domain the
/// `--list-*` filters select, a record each.
///
/// libvirt: `cmdDomstats` (tools/virsh-domain-monitor.c).
enum DomStatsCommand: VirshCommand {
    static let name = "domstats"
    static let group = CommandGroup.monitor
    static let help = "get statistics about one or multiple domains"
    static let description = "Gets statistics about one or more (or all) domains"

    private static let groups: [(String, String, DomainStatsTypes)] = [
        ("state", "report domain state", .state),
        ("cpu-total", "report domain physical cpu usage", .cpuTotal),
        ("balloon", "report domain balloon statistics", .balloon),
        ("vcpu", "report domain virtual cpu information", .vcpu),
        ("interface", "report domain network interface information", .interface),
        ("block", "report domain block device statistics", .block),
        ("perf", "report domain perf event statistics", .perf),
        ("iothread", "report domain IOThread information", .iothread),
        ("memory", "report domain memory usage", .memory),
        ("dirtyrate", "report domain dirty rate information", .dirtyRate),
        ("vm", "report hypervisor-specific statistics", .vm),
    ]

    /// `--list-*` and the other flags (`VIR_CONNECT_GET_ALL_DOMAINS_STATS_*`).
    private static let flagOptions: [(String, String, UInt32)] = [
        ("list-active", "list only active domains", ListAllDomainsFlags.active.rawValue),
        ("list-inactive", "list only inactive domains", ListAllDomainsFlags.inactive.rawValue),
        ("list-persistent", "list only persistent domains", ListAllDomainsFlags.persistent.rawValue),
        ("list-transient", "list only transient domains", ListAllDomainsFlags.transient.rawValue),
        ("list-running", "list only running domains", ListAllDomainsFlags.running.rawValue),
        ("list-paused", "list only paused domains", ListAllDomainsFlags.paused.rawValue),
        ("list-shutoff", "list only shutoff domains", ListAllDomainsFlags.shutoff.rawValue),
        ("list-other", "list only domains in other states", ListAllDomainsFlags.other.rawValue),
        ("raw", "do not pretty-print the fields", 0),
        ("enforce", "enforce requested stats parameters", GetAllDomainStatsFlags.enforceStats.rawValue),
        ("backing", "add backing chain information to block stats", GetAllDomainStatsFlags.backing.rawValue),
        ("nowait", "report only stats that are accessible instantly", GetAllDomainStatsFlags.nowait.rawValue),
    ]

    static let options: [OptionDef] = groups.map { .bool($0.0, $0.1) } + flagOptions.map { .bool($0.0, $0.1) }
        + [OptionDef(name: "domain", kind: .argv, help: "list of domains to get stats for")]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        var stats: DomainStatsTypes = []
        for (option, _, group) in groups where cmd.bool(option) { stats.insert(group) }
        var flags: UInt32 = 0
        for (option, _, flag) in flagOptions where cmd.bool(option) { flags |= flag }
        let names = cmd.argv("domain")
        var doms: [any VirshDomain]?
        if !names.isEmpty {
            var found: [any VirshDomain] = []
            for name in names {
                guard let dom = await ctl.lookupDomain(name) else { return false }
                found.append(dom)
            }
            doms = found
        }
        let records: [VirshDomainStats]
        do {
            records = try await ctl.connected.domainStats(doms, stats: stats, flags: flags)
        } catch {
            ctl.save(error)
            return false
        }
        // No pretty-printing yet in libvirt's virsh either: --raw changes nothing.
        let text = records.map { r in
            "Domain: '\(r.name)'\n" + r.params.map { "  \($0.name)=\(value($0.value))\n" }.joined()
        }.joined(separator: "\n")
        ctl.print(text)
        return true
    }

    /// libvirt: `vshGetTypedParamValue`.
    static func value(_ v: TypedParameter.Value) -> String {
        switch v {
        case .int(let x): return String(x)
        case .uint(let x): return String(x)
        case .llong(let x): return String(x)
        case .ullong(let x): return String(x)
        case .double(let x): return String(format: "%f", x)
        case .boolean(let x): return x ? "yes" : "no"
        case .string(let x): return x
        }
    }
}
