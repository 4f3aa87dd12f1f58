/// The `--mode` of `shutdown` and `reboot`: a comma list of ways, as
/// `virDomainShutdownFlagValues` / `virDomainRebootFlagValues` bits.
enum ShutdownMode {
    static let bits: [(name: String, bit: UInt32)] = [("acpi", 1 << 0), ("agent", 1 << 1), ("initctl", 1 << 2), ("signal", 1 << 3),
                                                      ("paravirt", 1 << 4)]

    /// The flags of `mode`, or `nil` (reported) for an unknown way;
    /// `expecting` is how the command lists them in its message.
    @MainActor static func flags(_ mode: String?, expecting: String, _ ctl: Control) -> UInt32? {
        guard let mode else { return 0 }
        var flags: UInt32 = 0
        for m in mode.split(separator: ",", omittingEmptySubsequences: false) {
            guard let bit = bits.first(where: { $0.name == m })?.bit else {
                ctl.error("Unknown mode \(m) value, expecting \(expecting)")
                return nil
            }
            flags |= bit
        }
        return flags
    }
}
