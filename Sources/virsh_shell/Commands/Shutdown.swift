/// `shutdown`: asks the guest to power off (ACPI).
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
        guard case .success(let mode) = cmd.string("mode", ctl) else { return false }
        if let mode {
            for m in mode.split(separator: ",", omittingEmptySubsequences: false) {
                guard ["acpi", "agent", "initctl", "signal", "paravirt"].contains(m) else {
                    ctl.error("Unknown mode \(m) value, expecting 'acpi', 'agent', 'initctl', 'signal', or 'paravirt'")
                    return false
                }
                if m != "acpi" {
                    ctl.error("shutdown mode '\(m)' is not supported by this virsh (only acpi)")
                    return false
                }
            }
        }
        guard let (dom, name) = await cmd.domain(ctl) else { return false }
        do {
            try await dom.shutdown()
        } catch {
            ctl.error("Failed to shutdown domain '\(name)'")
            ctl.save(error)
            return false
        }
        ctl.printExtra("Domain '\(name)' is being shutdown\n")
        return true
    }
}
