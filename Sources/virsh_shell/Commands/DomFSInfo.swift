/// `domfsinfo`: the guest's mounted filesystems, from its agent.
///
/// libvirt: `cmdDomFSInfo` (tools/virsh-domain.c).
enum DomFSInfoCommand: VirshCommand {
    static let name = "domfsinfo"
    static let group = CommandGroup.domain
    static let help = "Get information of domain's mounted filesystems."
    static let description = "Get information of domain's mounted filesystems."
    static let options: [OptionDef] = [.domainFull]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        let filesystems: [VirshFSInfo]
        do { filesystems = try await dom.fsInfo() } catch {
            ctl.error("Unable to get filesystem information")
            ctl.save(error)
            return false
        }
        if filesystems.isEmpty {
            ctl.printExtra("No filesystems are mounted in the domain")
            return true
        }
        var table = Table("Mountpoint", "Name", "Type", "Target")
        for fs in filesystems {
            table.append(fs.mountpoint, fs.name, fs.fstype, fs.devAliases.joined(separator: ","))
        }
        ctl.print(table.render(withHeader: !ctl.quiet))
        return true
    }
}
