/// `start`: starts a defined domain.
///
/// libvirt: `cmdStart` (tools/virsh-domain.c).
enum StartCommand: VirshCommand {
    static let name = "start"
    static let group = CommandGroup.domain
    static let help = "start a (previously defined) inactive domain"
    static let description = "Start a domain, either from the last managedsave\n    state, or via a fresh boot if no managedsave state\n    is present."
    static let options: [OptionDef] = [
        .domain("name of the inactive domain"),
        .bool("console", "attach to console after creation"),
        .bool("paused", "leave the guest paused after creation"),
        .bool("autodestroy", "automatically destroy the guest when virsh disconnects"),
        .bool("bypass-cache", "avoid file system cache when loading"),
        .bool("force-boot", "force fresh boot by discarding any managed save"),
        .string("pass-fds", "pass file descriptors N,M,... to the guest"),
        .bool("reset-nvram", "re-initialize NVRAM from its pristine template"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl, by: [.byName, .byUUID]) else { return false }
        if dom.id != nil {
            ctl.error("Domain is already active")
            return false
        }
        guard var flags = cmd.startFlags(ctl) else { return false }
        if cmd.bool("bypass-cache") { flags.insert(.bypassCache) }
        if cmd.bool("force-boot") { flags.insert(.forceBoot) }
        do {
            try await dom.create(flags)
        } catch {
            ctl.error("Failed to start domain '\(dom.name)'")
            ctl.save(error)
            return false
        }
        ctl.printExtra("Domain '\(dom.name)' started\n")
        return true
    }
}
