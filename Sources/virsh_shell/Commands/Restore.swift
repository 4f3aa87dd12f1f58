/// `restore`: a new QEMU from a saved state.
///
/// libvirt: `cmdRestore` (tools/virsh-domain.c).
enum RestoreCommand: VirshCommand {
    static let name = "restore"
    static let group = CommandGroup.domain
    static let help = "restore a domain from a saved state in a file"
    static let description = "Restore a domain."
    static let options: [OptionDef] = [
        .data("file", "the state to restore"),
        .bool("bypass-cache", "avoid file system cache when restoring"),
        .string("xml", "filename containing updated XML for the target"),
        .bool("running", "restore domain into running state"),
        .bool("paused", "restore domain into paused state"),
        .bool("reset-nvram", "re-initialize NVRAM from its pristine template"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard case .success(let f) = cmd.string("file", ctl), let file = f else { return false }
        let flags = SaveFlagOptions.flags(cmd) | (cmd.bool("reset-nvram") ? 8 : 0)
        guard case .success(let x) = cmd.string("xml", ctl) else { return false }
        var xml: String?
        if let x {
            guard let text = XMLFile.read(x, ctl) else { return false }
            xml = text
        }
        do {
            try await ctl.connected.restore(from: file, xml: xml, flags: flags)
        } catch {
            ctl.error("Failed to restore domain from \(file)")
            ctl.save(error)
            return false
        }
        ctl.printExtra("Domain restored from \(file)\n")
        return true
    }
}
