import Foundation
import domain_conf

/// `domblklist`: the domain's disks, target and source.
///
/// libvirt: `cmdDomblklist` (tools/virsh-domain-monitor.c).
enum DomBlkListCommand: VirshCommand {
    static let name = "domblklist"
    static let group = CommandGroup.monitor
    static let help = "list all domain blocks"
    static let description = "Get the summary of block devices for a domain."
    static let options: [OptionDef] = [
        .domainFull,
        .bool("inactive", "get inactive rather than running configuration"),
        .bool("details", "additionally display the type and device value"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let xml = await cmd.domainXML(ctl) else { return false }
        let details = cmd.bool("details")
        var table = details ? Table("Type", "Device", "Target", "Source") : Table("Target", "Source")
        for disk in xml.child("devices")?.children(named: "disk") ?? [] {
            guard let target = disk.child("target")?.attribute("dev") else {
                ctl.error("unable to query block list")
                return false
            }
            let type = disk.attribute("type")
            let source: String
            if type == "nvme" {
                guard let namespace = disk.child("source")?.attribute("namespace"),
                      let address = disk.child("source")?.child("address"),
                      let pci = try? PCIDeviceAddress(element: address) else {
                    ctl.error("Unable to query NVMe disk address")
                    return false
                }
                source = "nvme://" + String(format: "%04x:%02x:%02x.%d", pci.domain, pci.bus, pci.slot, pci.function) + "/\(namespace)"
            } else {
                source = disk.sourceAttribute(["file", "dev", "dir", "name", "volume", "path"]) ?? "-"
            }
            if details {
                guard let type, let device = disk.attribute("device") else {
                    ctl.print("unable to query block list details")
                    return false
                }
                table.append(type, device, target, source)
            } else {
                table.append(target, source)
            }
        }
        ctl.print(table.render(withHeader: !ctl.quiet))
        return true
    }
}
