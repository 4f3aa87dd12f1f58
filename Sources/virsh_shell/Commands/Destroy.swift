/// `destroy`: stops a domain at once.
///
/// libvirt: `cmdDestroy` (tools/virsh-domain.c).
enum DestroyCommand: VirshCommand {
    static let name = "destroy"
    static let group = CommandGroup.domain
    static let help = "destroy (stop) a domain"
    static let description = "Forcefully stop a given domain, but leave its resources intact."
    static let options: [OptionDef] = [
        .domainFull,
        .bool("graceful", "terminate gracefully"),
        .bool("remove-logs", "remove domain logs"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, name) = await cmd.domain(ctl) else { return false }
        if cmd.bool("remove-logs") {
            ctl.error("option --remove-logs is not supported by this virsh")
            return false
        }
        do {
            try await dom.destroy(graceful: cmd.bool("graceful"))
        } catch {
            ctl.error("Failed to destroy domain '\(name)'")
            ctl.save(error)
            return false
        }
        ctl.printExtra("Domain '\(name)' destroyed\n")
        return true
    }
}
