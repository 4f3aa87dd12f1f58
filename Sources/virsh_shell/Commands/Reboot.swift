/// `reboot`: asks the guest to reboot (its agent, ACPI).
///
/// libvirt: `cmdReboot` (tools/virsh-domain.c).
enum RebootCommand: VirshCommand {
    static let name = "reboot"
    static let group = CommandGroup.domain
    static let help = "reboot a domain"
    static let description = "Run a reboot command in the target domain."
    static let options: [OptionDef] = [
        .domainFull,
        .string("mode", "shutdown mode: acpi|agent|initctl|signal|paravirt"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard case .success(let mode) = cmd.string("mode", ctl),
              let flags = ShutdownMode.flags(mode, expecting: "'acpi', 'agent', 'initctl', 'signal' or 'paravirt'", ctl) else {
            return false
        }
        guard let (dom, name) = await cmd.domain(ctl) else { return false }
        do {
            try await dom.reboot(flags: flags)
        } catch {
            ctl.error("Failed to reboot domain '\(name)'")
            ctl.save(error)
            return false
        }
        ctl.printExtra("Domain '\(name)' is being rebooted\n")
        return true
    }
}
