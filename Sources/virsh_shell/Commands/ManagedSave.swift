/// `managedsave`: the domain's state saved where the driver keeps it;
/// the next `start` goes on from it.
///
/// libvirt: `cmdManagedSave` (tools/virsh-domain.c).
enum ManagedSaveCommand: VirshCommand {
    static let name = "managedsave"
    static let group = CommandGroup.domain
    static let help = "managed save of a domain state"
    static let description = "Save and destroy a running domain, so it can be restarted from\n    the same state at a later time.  When the virsh 'start'\n    command is next run for the domain, it will automatically\n    be started from this saved state."
    static let options: [OptionDef] = [
        .domainFull,
        .bool("bypass-cache", "avoid file system cache when saving"),
        .bool("running", "set domain to be running on next start"),
        .bool("paused", "set domain to be paused on next start"),
        .bool("verbose", "display the progress of save"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, arg) = await cmd.domain(ctl) else { return false }
        let flags = SaveFlagOptions.flags(cmd)
        let ok = await SaveFlagOptions.watched(dom, cmd, label: "Managedsave") { () async throws(VirshError) in
            try await dom.managedSave(flags: flags)
        }
        guard ok.ok else {
            ctl.error("Failed to save domain '\(arg)' state")
            if let e = ok.error { ctl.save(e) }
            return false
        }
        ctl.printExtra("\nDomain '\(arg)' state saved by libvirt\n")
        return true
    }
}
