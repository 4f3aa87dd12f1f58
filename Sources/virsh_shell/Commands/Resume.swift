/// `resume`: lets a paused domain run again.
///
/// libvirt: `cmdResume` (tools/virsh-domain.c).
enum ResumeCommand: VirshCommand {
    static let name = "resume"
    static let group = CommandGroup.domain
    static let help = "resume a domain"
    static let description = "Resume a previously suspended domain."
    static let options: [OptionDef] = [.domainFull]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, name) = await cmd.domain(ctl) else { return false }
        do {
            try await dom.resume()
        } catch {
            ctl.error("Failed to resume domain '\(name)'")
            ctl.save(error)
            return false
        }
        ctl.printExtra("Domain '\(name)' resumed\n")
        return true
    }
}
