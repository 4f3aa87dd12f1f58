/// `reset`: resets a running domain, as a reset button would.
///
/// libvirt: `cmdReset` (tools/virsh-domain.c).
enum ResetCommand: VirshCommand {
    static let name = "reset"
    static let group = CommandGroup.domain
    static let help = "reset a domain"
    static let description = "Reset the target domain as if by power button"
    static let options: [OptionDef] = [.domainFull]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, name) = await cmd.domain(ctl) else { return false }
        do {
            try await dom.reset()
        } catch {
            ctl.error("Failed to reset domain '\(name)'")
            ctl.save(error)
            return false
        }
        ctl.printExtra("Domain '\(name)' was reset\n")
        return true
    }
}
