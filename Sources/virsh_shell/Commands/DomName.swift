/// `domname`: a domain's name from its id or UUID.
///
/// libvirt: `cmdDomname` (tools/virsh-domain.c).
enum DomNameCommand: VirshCommand {
    static let name = "domname"
    static let group = CommandGroup.domain
    static let help = "convert a domain id or UUID to domain name"
    static let description = ""
    static let options: [OptionDef] = [.domain("domain id or uuid")]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl, by: [.byID, .byUUID]) else { return false }
        ctl.print(dom.name + "\n")
        return true
    }
}
