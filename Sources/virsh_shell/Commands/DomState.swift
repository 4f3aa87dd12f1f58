/// `domstate`: the state, and with `--reason` why.
///
/// libvirt: `cmdDomstate` (tools/virsh-domain-monitor.c).
enum DomStateCommand: VirshCommand {
    static let name = "domstate"
    static let group = CommandGroup.monitor
    static let help = "domain state"
    static let description = "Returns state about a domain."
    static let options: [OptionDef] = [.domainFull, .bool("reason", "also print reason for the state")]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        do {
            let st = try await dom.state()
            if cmd.bool("reason") {
                ctl.print("\(StateWords.state(st.state)) (\(StateWords.reason(state: st.state, reason: st.reason)))\n")
            } else {
                ctl.print(StateWords.state(st.state) + "\n")
            }
            return true
        } catch {
            ctl.save(error)
            return false
        }
    }
}
