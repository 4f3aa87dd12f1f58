/// `domxml-to-native`: the native configuration (for QEMU, the command
/// line) of a domain's XML, read from a file or from a defined domain.
///
/// libvirt: `cmdDomXMLToNative` (tools/virsh-domain.c).
enum DomXMLToNativeCommand: VirshCommand {
    static let name = "domxml-to-native"
    static let group = CommandGroup.domain
    static let help = "Convert domain XML to native config"
    static let description = "Convert domain XML config to a native guest configuration format."
    static let options: [OptionDef] = [
        .data("format", "target config data type format"),
        .string("domain", "domain name, id or uuid", namedOnly: true),
        .string("xml", "xml data file to export from"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard case .success(let f) = cmd.string("format", ctl), let format = f,
              case .success(let xmlFile) = cmd.string("xml", ctl) else { return false }
        guard cmd.exclusive("domain", "xml", ctl) else { return false }
        let xml: String
        if cmd.bool("domain") {
            guard let (dom, _) = await cmd.domain(ctl) else { return false }
            do {
                xml = try await dom.xmlDesc([])
            } catch {
                ctl.save(error)
                return false
            }
        } else if let xmlFile {
            guard let text = XMLFile.read(xmlFile, ctl) else { return false }
            xml = text
        } else {
            ctl.error("need either domain or domain XML")
            return false
        }
        do {
            ctl.print(try await ctl.connected.domainXMLToNative(format: format, xml: xml))
            return true
        } catch {
            ctl.save(error)
            return false
        }
    }
}
