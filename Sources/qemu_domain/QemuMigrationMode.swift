/// How a local migration moves the guest to the new QEMU.
///
/// QMP: `MigMode` (`migrate-set-parameters mode=...`), of which a local
/// migration uses two.
public enum QemuMigrationMode: String, Sendable, Equatable {
    /// The migration stream: RAM is copied, or left in place by
    /// `x-ignore-shared` when it is a shared file both QEMUs map.
    case normal
    /// CheckPoint and Restart by descriptor transfer (QEMU 10.0): the old
    /// QEMU sends the new one the descriptors of its RAM over the `cpr`
    /// channel, then its device state over the main one. Nothing of RAM
    /// is copied, whatever backs it, as long as it is shared.
    case cprTransfer = "cpr-transfer"
}
