import domain_conf

/// `maxvcpus`: the most vCPUs a guest may have: the domain capabilities'
/// `<vcpu max>`, else the connection's own answer.
///
/// libvirt: `cmdMaxvcpus` (tools/virsh-host.c).
enum MaxVcpusCommand: VirshCommand {
    static let name = "maxvcpus"
    static let group = CommandGroup.host
    static let help = "connection vcpu maximum"
    static let description = "Show maximum number of virtual CPUs for guests on this connection."
    static let options: [OptionDef] = [.string("type", "domain type")]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard case .success(let type) = cmd.string("type", ctl) else { return false }
        let conn: any VirshConnection
        do { conn = try ctl.connected } catch {
            ctl.save(error)
            return false
        }
        var vcpus: Int32 = -1
        // A driver without domain capabilities, or one that refuses the
        // type there, still has virConnectGetMaxVcpus.
        if let xml = try? await conn.domainCapabilities(emulatorBin: nil, arch: nil, machine: nil, virtType: type) {
            guard let caps = try? XMLParser.parse(xml, url: "(domainCapabilities)") else {
                ctl.error("(domainCapabilities):1: failed to parse domain capabilities")
                return false
            }
            if let max = caps.child("vcpu")?.attribute("max").flatMap({ Int32($0) }) { vcpus = max }
        }
        if vcpus < 0 {
            do { vcpus = try await conn.maxVcpus(type: type) } catch {
                ctl.save(error)
                return false
            }
        }
        ctl.print("\(vcpus)\n")
        return true
    }
}
