/// `domjobabort`: aborts the domain's job (a migration goes back to the
/// source, which runs on).
///
/// libvirt: `cmdDomjobabort` (tools/virsh-domain.c).
enum DomJobAbortCommand: VirshCommand {
    static let name = "domjobabort"
    static let group = CommandGroup.domain
    static let help = "abort active domain job"
    static let description = "Aborts the currently running domain job"
    static let options: [OptionDef] = [.domainFull, .bool("postcopy", "interrupt post-copy migration")]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        if cmd.bool("postcopy") {
            ctl.error("option --postcopy is not supported by this virsh (no post-copy migration)")
            return false
        }
        do {
            try await dom.abortJob()
            return true
        } catch {
            ctl.save(error)
            return false
        }
    }
}
