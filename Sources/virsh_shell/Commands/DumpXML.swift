/// `dumpxml`: the domain's XML.
///
/// libvirt: `cmdDumpXML` (tools/virsh-domain.c).
enum DumpXMLCommand: VirshCommand {
    static let name = "dumpxml"
    static let group = CommandGroup.domain
    static let help = "domain information in XML"
    static let description = "Output the domain information as an XML dump to stdout."
    static let options: [OptionDef] = [
        .domainFull,
        .bool("inactive", "show inactive defined XML"),
        .bool("security-info", "include security sensitive information in XML dump"),
        .bool("update-cpu", "update guest CPU according to host CPU"),
        .bool("migratable", "provide XML suitable for migrations"),
        .string("xpath", "xpath expression to filter the XML document", namedOnly: true),
        .bool("wrap", "wrap xpath results in an common root element"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        var flags: DomainXMLFlags = []
        if cmd.bool("inactive") { flags.insert(.inactive) }
        if cmd.bool("security-info") { flags.insert(.secure) }
        if cmd.bool("update-cpu") { flags.insert(.updateCPU) }
        if cmd.bool("migratable") { flags.insert(.migratable) }
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        if cmd.bool("xpath") {
            ctl.error("option --xpath is not supported by this virsh")
            return false
        }
        do {
            ctl.print(try await dom.xmlDesc(flags))
            return true
        } catch {
            ctl.save(error)
            return false
        }
    }
}
