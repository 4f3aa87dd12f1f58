/// The options `start` and `create` share.
extension ParsedCommand {
    /// `--paused`, `--autodestroy` and `--reset-nvram` as start flags;
    /// `--console` and `--pass-fds`, which this virsh does not do, refused
    /// by name (`nil`).
    @MainActor func startFlags(_ ctl: Control) -> DomainStartFlags? {
        for opt in ["console", "pass-fds"] where bool(opt) {
            ctl.error("option --\(opt) is not supported by this virsh")
            return nil
        }
        var flags: DomainStartFlags = []
        if bool("paused") { flags.insert(.paused) }
        if bool("autodestroy") { flags.insert(.autodestroy) }
        if bool("reset-nvram") { flags.insert(.resetNVRAM) }
        return flags
    }
}
