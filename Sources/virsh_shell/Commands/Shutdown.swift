/// `shutdown`: asks the guest to power off (its agent, ACPI).
///
/// libvirt: `cmdShutdown` (tools/virsh-domain.c).
enum ShutdownCommand: VirshCommand {
    static let name = "shutdown"
    static let group = CommandGroup.domain
    static let help = "gracefully shutdown a domain"
    static let description = "Run shutdown in the target domain."
    static let options: [OptionDef] = [
        .domainFull,
        .string("mode", "shutdown mode: acpi|agent|initctl|signal|paravirt"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard case .success(let mode) = cmd.string("mode", ctl),
              let flags = ShutdownMode.flags(mode, expecting: "'acpi', 'agent', 'initctl', 'signal', or 'paravirt'", ctl) else {
            return false
        }
        guard let (dom, name) = await cmd.domain(ctl) else { return false }
        do {
            try await dom.shutdown(flags: flags)
        } catch {
            ctl.error("Failed to shutdown domain '\(name)'")
            ctl.save(error)
            return false
        }
        ctl.printExtra("Domain '\(name)' is being shutdown\n")
        return true
    }
}
