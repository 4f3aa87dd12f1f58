/// `domhostname`: the guest's host name, from its agent or DHCP leases.
///
/// libvirt: `cmdDomHostname` (tools/virsh-domain.c).
enum DomHostnameCommand: VirshCommand {
    static let name = "domhostname"
    static let group = CommandGroup.domain
    static let help = "print the domain's hostname"
    static let description = ""
    static let options: [OptionDef] = [
        .domainFull,
        .string("source", "address source: 'lease' or 'agent'"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        guard case .success(let source) = cmd.string("source", ctl) else { return false }
        var flags: UInt32 = 0
        switch source {
        case nil: break
        case "agent": flags = 1 << 1
        case "lease": flags = 1 << 0
        case let other?:
            ctl.error("Unknown data source '\(other)'")
            return false
        }
        do { ctl.print(try await dom.guestHostname(flags: flags) + "\n") } catch {
            ctl.error("failed to get hostname")
            ctl.save(error)
            return false
        }
        return true
    }
}
