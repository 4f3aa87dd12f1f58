/// `migrate-getmaxdowntime`: the downtime limit of a running domain's
/// migrations.
///
/// libvirt: `cmdMigrateGetMaxDowntime` (tools/virsh-domain.c).
enum MigrateGetMaxDowntimeCommand: VirshCommand {
    static let name = "migrate-getmaxdowntime"
    static let group = CommandGroup.domain
    static let help = "get maximum tolerable downtime"
    static let description = "Get maximum tolerable downtime of a domain which is being live-migrated to another host."
    static let options: [OptionDef] = [.domainFull]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        do {
            let downtime = try await dom.migrateGetMaxDowntime()
            ctl.print("\(downtime)\n")
        } catch {
            ctl.save(error)
            return false
        }
        return true
    }
}
