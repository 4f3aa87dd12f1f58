/// `setmem`: the guest's current memory (the balloon's target, or the
/// definition's `<currentMemory>`).
///
/// libvirt: `cmdSetmem` (tools/virsh-domain.c).
enum SetMemCommand: VirshCommand {
    static let name = "setmem"
    static let group = CommandGroup.domain
    static let help = "change memory allocation"
    static let description = "Change the current memory allocation in the guest domain."
    static let options = MemoryCommandOptions.options(sizeHelp: "new memory size, as scaled integer (default KiB)")

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        // VIR_DOMAIN_AFFECT_LIVE unless told otherwise, as virsh does.
        guard cmd.exclusive("current", "live", ctl), cmd.exclusive("current", "config", ctl),
              let (dom, _) = await cmd.domain(ctl),
              let (flags, kibibytes) = MemoryCommandOptions.read(cmd, ctl, fallback: 1) else { return false }
        do {
            try await dom.setMemory(kibibytes: kibibytes, flags: flags)
            return true
        } catch {
            ctl.save(error)
            return false
        }
    }
}
