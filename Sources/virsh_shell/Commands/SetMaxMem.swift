/// `setmaxmem`: the definition's `<memory>`.
///
/// libvirt: `cmdSetmaxmem` (tools/virsh-domain.c).
enum SetMaxMemCommand: VirshCommand {
    static let name = "setmaxmem"
    static let group = CommandGroup.domain
    static let help = "change maximum memory limit"
    static let description = "Change the maximum memory allocation limit in the guest domain."
    static let options = MemoryCommandOptions.options(sizeHelp: "new maximum memory size, as scaled integer (default KiB)")

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard cmd.exclusive("current", "live", ctl), cmd.exclusive("current", "config", ctl),
              let (dom, _) = await cmd.domain(ctl),
              let (flags, kibibytes) = MemoryCommandOptions.read(cmd, ctl, fallback: 0) else { return false }
        do {
            try await dom.setMemory(kibibytes: kibibytes, flags: flags | 4)  // VIR_DOMAIN_MEM_MAXIMUM
            return true
        } catch {
            ctl.error("Unable to change MaxMemorySize")
            ctl.save(error)
            return false
        }
    }
}
