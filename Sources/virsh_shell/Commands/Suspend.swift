/// `suspend`: pauses a running domain.
///
/// libvirt: `cmdSuspend` (tools/virsh-domain.c).
enum SuspendCommand: VirshCommand {
    static let name = "suspend"
    static let group = CommandGroup.domain
    static let help = "suspend a domain"
    static let description = "Suspend a running domain."
    static let options: [OptionDef] = [.domainFull]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, name) = await cmd.domain(ctl) else { return false }
        do {
            try await dom.suspend()
        } catch {
            ctl.error("Failed to suspend domain '\(name)'")
            ctl.save(error)
            return false
        }
        ctl.printExtra("Domain '\(name)' suspended\n")
        return true
    }
}
