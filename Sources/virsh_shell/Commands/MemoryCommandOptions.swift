/// `setmem` and `setmaxmem` share their options and how they read them.
enum MemoryCommandOptions {
    static func options(sizeHelp: String) -> [OptionDef] {
        [.domainFull, .alias("kilobytes", for: "size"), .int("size", sizeHelp, required: true),
         .bool("config", "affect next boot"), .bool("live", "affect running domain"), .bool("current", "affect current domain")]
    }

    /// `VIR_DOMAIN_AFFECT_*` from `--config`, `--live`, `--current`
    /// (`fallback` when none is given), and the size in KiB. The caller
    /// checked that `--current` comes alone.
    @MainActor static func read(_ cmd: ParsedCommand, _ ctl: Control, fallback: UInt32) -> (flags: UInt32, kibibytes: UInt64)? {
        let (config, live, current) = (cmd.bool("config"), cmd.bool("live"), cmd.bool("current"))
        var flags = fallback
        if config || live || current {
            flags = 0
            if config { flags |= 2 }
            if live { flags |= 1 }
        }
        guard case .success(let bytes) = cmd.scaled("size", defaultScale: 1024, max: UInt64.max, ctl), let bytes else { return nil }
        return (flags, (bytes + 1023) / 1024)
    }
}
