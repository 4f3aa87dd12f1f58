/// The options of the commands that add or remove a device
/// (`attach-device`, `detach-device`, `attach-disk`, `detach-disk`): which
/// definitions the change affects.
///
/// libvirt: `VIRSH_COMMON_OPT_DOMAIN_PERSISTENT`, `..._CONFIG`, `..._LIVE`,
/// `..._CURRENT` (tools/virsh-domain.h) and the flag logic the commands
/// share.
enum DeviceChangeOptions {
    static let options: [OptionDef] = [
        .bool("persistent", "make live change persistent"), .bool("config", "affect next boot"),
        .bool("live", "affect running domain"), .bool("current", "affect current domain"),
    ]

    /// `VIR_DOMAIN_AFFECT_*` as given (`--persistent` counts as
    /// `--config`), after virsh's exclusivity checks.
    @MainActor static func flags(_ cmd: ParsedCommand, _ ctl: Control) -> UInt32? {
        guard cmd.exclusive("persistent", "current", ctl), cmd.exclusive("current", "live", ctl),
              cmd.exclusive("current", "config", ctl) else { return nil }
        var flags: UInt32 = 0
        if cmd.bool("config") || cmd.bool("persistent") { flags |= 2 }
        if cmd.bool("live") { flags |= 1 }
        return flags
    }

    /// The flags of the call: `--persistent` on a running domain affects it
    /// too; `nil` (the call without flags) when nothing was asked.
    @MainActor static func callFlags(_ flags: UInt32, _ cmd: ParsedCommand, _ dom: any VirshDomain) async -> UInt32? {
        var flags = flags
        if cmd.bool("persistent"), (try? await dom.isActive()) == true { flags |= 1 }
        return flags != 0 || cmd.bool("current") ? flags : nil
    }
}
