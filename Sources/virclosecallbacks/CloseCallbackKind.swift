/// What a close callback is for. libvirt tells callbacks apart by their
/// function pointer (`qemuProcessAutoDestroy`,
/// `qemuMigrationAnyConnectionClosed`); Swift closures cannot be compared,
/// so the kind stands in for it.
public enum CloseCallbackKind: String, Sendable {
    /// Destroy the domain (`VIR_DOMAIN_START_AUTODESTROY`).
    case autodestroy
    /// Finish or roll back the migration the connection was driving.
    case migration
}
