/// `setvcpus`: the vCPUs online (plugged into the running guest, in the
/// definition, or inside the guest by its agent), or the maximum.
///
/// libvirt: `cmdSetvcpus` (tools/virsh-domain.c).
enum SetVcpusCommand: VirshCommand {
    static let name = "setvcpus"
    static let group = CommandGroup.domain
    static let help = "change number of virtual CPUs"
    static let description = "Change the number of virtual CPUs in the guest domain."
    static let options: [OptionDef] = [
        .domainFull, .int("count", "number of virtual CPUs", required: true),
        .bool("maximum", "set maximum limit on next boot"), .bool("config", "affect next boot"),
        .bool("live", "affect running domain"), .bool("current", "affect current domain"),
        .bool("guest", "modify cpu state in the guest"), .bool("hotpluggable", "make added vcpus hot(un)pluggable"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard cmd.exclusive("current", "live", ctl), cmd.exclusive("current", "config", ctl),
              cmd.exclusive("guest", "config", ctl), cmd.requires("maximum", "config", ctl) else { return false }
        var flags: UInt32 = 0
        for (name, bit) in [("live", 1), ("config", 2), ("maximum", 4), ("guest", 8), ("hotpluggable", 16)] as [(String, UInt32)]
        where cmd.bool(name) { flags |= bit }
        guard let (dom, _) = await cmd.domain(ctl),
              case .success(let c) = cmd.unsigned("count", max: UInt64(UInt32.max), ctl), let count = c else { return false }
        if count == 0 {
            ctl.error("Can't set 0 processors for a VM")
            return false
        }
        do {
            // None of the options: the call without flags, as virsh makes it.
            try await dom.setVcpus(UInt32(count), flags: !cmd.bool("current") && flags == 0 ? nil : flags)
            return true
        } catch {
            ctl.save(error)
            return false
        }
    }
}
