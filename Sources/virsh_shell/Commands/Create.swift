/// `create`: starts a transient domain from an XML file.
///
/// libvirt: `cmdCreate` (tools/virsh-domain.c).
enum CreateCommand: VirshCommand {
    static let name = "create"
    static let group = CommandGroup.domain
    static let help = "create a domain from an XML file"
    static let description = "Create a domain."
    static let options: [OptionDef] = [
        .data("file", "file containing an XML domain description"),
        .bool("console", "attach to console after creation"),
        .bool("paused", "leave the guest paused after creation"),
        .bool("autodestroy", "automatically destroy the guest when virsh disconnects"),
        .string("pass-fds", "pass file descriptors N,M,... to the guest"),
        .bool("validate", "validate the XML against the schema"),
        .bool("reset-nvram", "re-initialize NVRAM from its pristine template"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard case .success(let f) = cmd.string("file", ctl), let file = f else { return false }
        guard let xml = XMLFile.read(file, ctl) else { return false }
        guard var flags = cmd.startFlags(ctl) else { return false }
        if cmd.bool("validate") { flags.insert(.validate) }
        do {
            let dom = try await ctl.connected.createXML(xml, flags: flags)
            ctl.printExtra("Domain '\(dom.name)' created from \(file)\n")
            return true
        } catch {
            ctl.error("Failed to create domain from \(file)")
            ctl.save(error)
            return false
        }
    }
}
