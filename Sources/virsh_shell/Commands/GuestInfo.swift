import libvirt_abi

/// `guestinfo`: what the guest's agent says about it.
///
/// libvirt: `cmdGuestInfo` (tools/virsh-domain.c).
enum GuestInfoCommand: VirshCommand {
    static let name = "guestinfo"
    static let group = CommandGroup.domain
    static let help = "query information about the guest (via agent)"
    static let description = "Use the guest agent to query various information from guest's point of view"
    /// In virsh's order, each with its `virDomainGuestInfoTypes` bit.
    static let kinds: [(option: String, help: String, bit: UInt32)] = [
        ("user", "report active users", 1 << 0),
        ("os", "report operating system information", 1 << 1),
        ("timezone", "report timezone information", 1 << 2),
        ("hostname", "report hostname", 1 << 3),
        ("filesystem", "report filesystem information", 1 << 4),
        ("disk", "report disk information", 1 << 5),
        ("interface", "report interface information", 1 << 6),
    ]
    static let options: [OptionDef] = [.domainFull] + kinds.map { OptionDef.bool($0.option, $0.help) }

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        let types = kinds.reduce(UInt32(0)) { cmd.bool($1.option) ? $0 | $1.bit : $0 }
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        let params: [TypedParameter]
        do { params = try await dom.guestInfo(types: types) } catch {
            ctl.save(error)
            return false
        }
        for p in params {
            let field = p.name.count < 20 ? p.name + String(repeating: " ", count: 20 - p.name.count) : p.name
            ctl.print("\(field): \(DomStatsCommand.value(p.value))\n")
        }
        return true
    }
}
