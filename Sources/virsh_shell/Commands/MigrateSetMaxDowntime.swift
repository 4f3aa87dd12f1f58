/// `migrate-setmaxdowntime`: the downtime a live migration may cause, set
/// before or during the migration.
///
/// libvirt: `cmdMigrateSetMaxDowntime` (tools/virsh-domain.c).
enum MigrateSetMaxDowntimeCommand: VirshCommand {
    static let name = "migrate-setmaxdowntime"
    static let group = CommandGroup.domain
    static let help = "set maximum tolerable downtime"
    static let description = "Set maximum tolerable downtime of a domain which is being live-migrated to another host."
    static let options: [OptionDef] = [
        .domainFull,
        .int("downtime", "maximum tolerable downtime (in milliseconds) for migration", required: true),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        guard case .success(let value) = cmd.unsigned("downtime", max: UInt64.max, ctl) else { return false }
        let downtime = value ?? 0
        if downtime < 1 {
            ctl.error("migrate: Invalid downtime")
            return false
        }
        do {
            try await dom.migrateSetMaxDowntime(downtime)
        } catch {
            ctl.save(error)
            return false
        }
        return true
    }
}
