/// `autostart`: marks a domain to start with the host (or, with
/// `--disable`, not).
///
/// libvirt: `cmdAutostart` (tools/virsh-domain.c).
enum AutostartCommand: VirshCommand {
    static let name = "autostart"
    static let group = CommandGroup.domain
    static let help = "autostart a domain"
    static let description = "Configure a domain to be automatically started at boot."
    static let options: [OptionDef] = [.domainFull, .bool("disable", "disable autostarting")]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, name) = await cmd.domain(ctl) else { return false }
        let on = !cmd.bool("disable")
        do {
            try await dom.setAutostart(on)
        } catch {
            ctl.error(on ? "Failed to mark domain '\(name)' as autostarted" : "Failed to unmark domain '\(name)' as autostarted")
            ctl.save(error)
            return false
        }
        ctl.printExtra(on ? "Domain '\(name)' marked as autostarted\n" : "Domain '\(name)' unmarked as autostarted\n")
        return true
    }
}
