/// `domifstat`: a running domain's interface counters.
///
/// libvirt: `cmdDomIfstat` (tools/virsh-domain-monitor.c).
enum DomIfStatCommand: VirshCommand {
    static let name = "domifstat"
    static let group = CommandGroup.monitor
    static let help = "get network interface stats for a domain"
    static let description = "Get network interface stats for a running domain."
    static let options: [OptionDef] = [
        .domainFull,
        .data("interface", "interface device specified by name or MAC Address"),
    ]

    static let fields = ["rx_bytes", "rx_packets", "rx_errs", "rx_drop", "tx_bytes", "tx_packets", "tx_errs", "tx_drop"]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, arg) = await cmd.domain(ctl) else { return false }
        guard case .success(let d) = cmd.string("interface", ctl), let device = d else { return false }
        let values: [Int64]
        do { values = try await dom.interfaceStats(device) } catch {
            ctl.error("Failed to get interface stats \(arg) \(device)")
            ctl.save(error)
            return false
        }
        for (name, v) in zip(fields, values) where v >= 0 { ctl.print("\(device) \(name) \(v)\n") }
        return true
    }
}
