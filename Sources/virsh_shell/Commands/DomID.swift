/// `domid`: a domain's id from its name or UUID.
///
/// libvirt: `cmdDomid` (tools/virsh-domain.c).
enum DomIDCommand: VirshCommand {
    static let name = "domid"
    static let group = CommandGroup.domain
    static let help = "convert a domain name or UUID to domain id"
    static let description = ""
    static let options: [OptionDef] = [.domain("domain name or uuid")]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl, by: [.byName, .byUUID]) else { return false }
        ctl.print((dom.id.map(String.init) ?? "-") + "\n")
        return true
    }
}
