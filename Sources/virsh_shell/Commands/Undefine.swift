import libvirt_abi

/// `undefine`: removes a domain's persistent definition; a running domain
/// goes on as a transient one.
///
/// libvirt: `cmdUndefine` (tools/virsh-domain.c).
enum UndefineCommand: VirshCommand {
    static let name = "undefine"
    static let group = CommandGroup.domain
    static let help = "undefine a domain"
    static let description = "Undefine an inactive domain, or convert persistent to transient."
    static let options: [OptionDef] = [
        .domainFull,
        .bool("managed-save", "remove domain managed state file"),
        .string("storage", "remove associated storage volumes (comma separated list of targets or source paths) (see domblklist)"),
        .bool("remove-all-storage", "remove all associated storage volumes (use with caution)"),
        .alias("delete-snapshots", for: "delete-storage-volume-snapshots"),
        .bool("delete-storage-volume-snapshots", "delete snapshots associated with volume(s), requires --remove-all-storage (must be supported by storage driver)"),
        .bool("wipe-storage", "wipe data on the removed volumes"),
        .bool("snapshots-metadata", "remove all domain snapshot metadata (vm must be inactive)"),
        .bool("checkpoints-metadata", "remove all domain checkpoint metadata (vm must be inactive)"),
        .bool("nvram", "remove nvram file"),
        .bool("keep-nvram", "keep nvram file"),
        .bool("tpm", "remove TPM state"),
        .bool("keep-tpm", "keep TPM state"),
    ]

    /// What this virsh does: the domain's definition and its NVRAM,
    /// nothing of its storage or TPM (the embedded driver has none of those).
    static let notSupported = ["storage", "remove-all-storage", "delete-storage-volume-snapshots", "wipe-storage", "tpm"]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard cmd.requires("delete-storage-volume-snapshots", "remove-all-storage", ctl),
              cmd.exclusive("nvram", "keep-nvram", ctl), cmd.exclusive("tpm", "keep-tpm", ctl) else { return false }
        if let opt = notSupported.first(where: { cmd.bool($0) }) {
            ctl.error("option --\(opt) is not supported by this virsh")
            return false
        }
        var flags: DomainUndefineFlags = []
        if cmd.bool("nvram") { flags.insert(.nvram) }
        if cmd.bool("keep-nvram") { flags.insert(.keepNVRAM) }
        guard let (dom, name) = await cmd.domain(ctl) else { return false }
        do {
            try await dom.undefine(flags)
            ctl.printExtra("Domain '\(name)' has been undefined\n")
            return true
        } catch {
            ctl.error("Failed to undefine domain '\(name)'")
            ctl.save(error)
            return false
        }
    }
}
