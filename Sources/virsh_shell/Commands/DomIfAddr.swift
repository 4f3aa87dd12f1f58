import Foundation

/// `domifaddr`: a running guest's interfaces and their IP addresses, from
/// DHCP leases, the guest agent or the ARP table.
///
/// libvirt: `cmdDomIfAddr` (tools/virsh-domain-monitor.c).
enum DomIfAddrCommand: VirshCommand {
    static let name = "domifaddr"
    static let group = CommandGroup.monitor
    static let help = "Get network interfaces' addresses for a running domain"
    static let description = "Get network interfaces' addresses for a running domain"
    static let options: [OptionDef] = [
        .domainFull,
        .string("interface", "network interface name"),
        .bool("full", "always display names and MACs of interfaces"),
        .string("source", "address source: 'lease', 'agent', or 'arp'"),
    ]

    static let sources = ["lease", "agent", "arp"]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard case .success(let only) = cmd.string("interface", ctl), case .success(let sourceName) = cmd.string("source", ctl) else {
            return false
        }
        var source: UInt32 = 0
        if let sourceName {
            guard let i = sources.firstIndex(of: sourceName) else {
                ctl.error("Unknown data source '\(sourceName)'")
                return false
            }
            source = UInt32(i)
        }
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        let ifaces: [VirshInterfaceAddresses]
        do { ifaces = try await dom.interfaceAddresses(source: source) } catch {
            ctl.error("Failed to query for interfaces addresses")
            ctl.save(error)
            return false
        }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        ctl.printExtra(" \(pad("Name", 10)) \(pad("MAC address", 20)) \(pad("Protocol", 8))     Address\n"
                       + String(repeating: "-", count: 79) + "\n")
        let full = cmd.bool("full")
        for iface in ifaces where only == nil || only == iface.name {
            if iface.addrs.isEmpty {
                ctl.print(" \(pad(iface.name, 10)) \(pad(iface.hwaddr ?? "N/A", 17))    \(pad("N/A", 12)) N/A\n")
                continue
            }
            for (j, a) in iface.addrs.enumerated() {
                let address = "\(pad(a.type == 1 ? "ipv6" : "ipv4", 12)) \(a.addr)/\(a.prefix)"
                if full || j == 0 {
                    ctl.print(" \(pad(iface.name, 10)) \(pad(iface.hwaddr ?? "", 17))    \(address)\n")
                } else {
                    ctl.print(" \(pad("-", 10)) \(pad("-", 17))    \(address)\n")
                }
            }
        }
        return true
    }
}
