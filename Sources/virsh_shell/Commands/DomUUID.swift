/// `domuuid`: a domain's UUID from its name or id.
///
/// libvirt: `cmdDomuuid` (tools/virsh-domain.c).
enum DomUUIDCommand: VirshCommand {
    static let name = "domuuid"
    static let group = CommandGroup.domain
    static let help = "convert a domain name or id to domain UUID"
    static let description = ""
    static let options: [OptionDef] = [.domain("domain id or name")]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl, by: [.byName, .byID]) else { return false }
        ctl.print(dom.uuid + "\n")
        return true
    }
}
