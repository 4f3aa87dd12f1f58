/// `dommemstat`: a running domain's memory statistics; with `--period`,
/// how often the guest's balloon driver collects them.
///
/// libvirt: `cmdDomMemStat` (tools/virsh-domain-monitor.c).
enum DomMemStatCommand: VirshCommand {
    static let name = "dommemstat"
    static let group = CommandGroup.monitor
    static let help = "get memory statistics for a domain"
    static let description = "Get memory statistics for a running domain."
    static let options: [OptionDef] = [
        .domainFull,
        OptionDef(name: "period", kind: .int, namedOnly: true, help: "period in seconds to set collection"),
        .bool("config", "affect next boot"), .bool("live", "affect running domain"), .bool("current", "affect current domain"),
    ]

    /// virsh's names for `virDomainMemoryStatTags`, by number.
    static let names: [Int32: String] = [
        0: "swap_in", 1: "swap_out", 2: "major_fault", 3: "minor_fault", 4: "unused", 5: "available", 8: "usable",
        6: "actual", 7: "rss", 9: "last_update", 10: "disk_caches", 11: "hugetlb_pgalloc", 12: "hugetlb_pgfail",
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        let (config, live, current) = (cmd.bool("config"), cmd.bool("live"), cmd.bool("current"))
        guard cmd.exclusive("current", "live", ctl), cmd.exclusive("current", "config", ctl),
              let (dom, arg) = await cmd.domain(ctl) else { return false }
        var flags: UInt32 = (config ? 2 : 0) | (live ? 1 : 0)
        if !current && !live && !config, (try? await dom.isActive()) == true { flags |= 1 }
        guard case .success(let period) = cmd.int("period", ctl) else { return false }
        if let period {
            guard period >= 0 else {
                ctl.error("Invalid collection period value '\(period)'")
                return false
            }
            do {
                try await dom.setMemoryStatsPeriod(period, flags: flags)
                return true
            } catch {
                ctl.save(error)
                ctl.error("Unable to change balloon collection period.")
                return false
            }
        }
        let stats: [(tag: Int32, value: UInt64)]
        do { stats = try await dom.memoryStats() } catch {
            ctl.save(error)
            ctl.error("Failed to get memory statistics for domain \(arg)")
            return false
        }
        // virsh prints them in the order the driver gives them.
        ctl.print(stats.compactMap { s in names[s.tag].map { "\($0) \(s.value)\n" } }.joined())
        return true
    }
}
