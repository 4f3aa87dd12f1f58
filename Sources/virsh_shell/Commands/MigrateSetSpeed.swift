/// `migrate-setspeed`: the bandwidth of a domain's migrations in MiB/s,
/// set before or during a migration.
///
/// libvirt: `cmdMigrateSetMaxSpeed` (tools/virsh-domain.c).
enum MigrateSetSpeedCommand: VirshCommand {
    static let name = "migrate-setspeed"
    static let group = CommandGroup.domain
    static let help = "Set the maximum migration bandwidth"
    static let description = "Set the maximum migration bandwidth (in MiB/s) for a domain which is being migrated to another host."
    static let options: [OptionDef] = [
        .domainFull,
        .int("bandwidth", "migration bandwidth limit in MiB/s", required: true),
        .bool("postcopy", "set post-copy migration bandwidth"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        guard case .success(let bandwidth) = cmd.unsignedWrapping("bandwidth", ctl) else { return false }
        do {
            try await dom.migrateSetMaxSpeed(bandwidth ?? 0, postcopy: cmd.bool("postcopy"))
        } catch {
            ctl.save(error)
            return false
        }
        return true
    }
}
