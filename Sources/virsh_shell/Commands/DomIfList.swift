/// `domiflist`: the domain's network interfaces.
///
/// libvirt: `cmdDomiflist` (tools/virsh-domain-monitor.c).
enum DomIfListCommand: VirshCommand {
    static let name = "domiflist"
    static let group = CommandGroup.monitor
    static let help = "list all domain virtual interfaces"
    static let description = "Get the summary of virtual interfaces for a domain."
    static let options: [OptionDef] = [
        .domainFull,
        .bool("inactive", "get inactive rather than running configuration"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let xml = await cmd.domainXML(ctl) else { return false }
        var table = Table("Interface", "Type", "Source", "Model", "MAC")
        for interface in xml.child("devices")?.children(named: "interface") ?? [] {
            table.append(interface.child("target")?.attribute("dev") ?? "-", interface.attribute("type") ?? "",
                         interface.sourceAttribute(["bridge", "dev", "network", "name", "path"]) ?? "-",
                         interface.child("model")?.attribute("type") ?? "-", interface.child("mac")?.attribute("address") ?? "-")
        }
        ctl.print(table.render(withHeader: !ctl.quiet))
        return true
    }
}
