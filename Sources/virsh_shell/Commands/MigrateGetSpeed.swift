/// `migrate-getspeed`: the bandwidth limit of a domain's migrations in
/// MiB/s.
///
/// libvirt: `cmdMigrateGetMaxSpeed` (tools/virsh-domain.c).
enum MigrateGetSpeedCommand: VirshCommand {
    static let name = "migrate-getspeed"
    static let group = CommandGroup.domain
    static let help = "Get the maximum migration bandwidth"
    static let description = "Get the maximum migration bandwidth (in MiB/s) for a domain."
    static let options: [OptionDef] = [
        .domainFull,
        .bool("postcopy", "get post-copy migration bandwidth"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        do {
            let bandwidth = try await dom.migrateGetMaxSpeed(postcopy: cmd.bool("postcopy"))
            ctl.print("\(bandwidth)\n")
        } catch {
            ctl.save(error)
            return false
        }
        return true
    }
}
