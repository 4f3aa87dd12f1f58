/// QEMU's `MigrationStatus`, as `query-migrate` and the `MIGRATION` event
/// report it; strings this client does not know are kept in `.unknown`.
///
/// libvirt: `qemuMonitorMigrationStatus` (which calls `none` "inactive" and
/// `failed` "error").
public enum MigrationStatus: Sendable, Hashable, CustomStringConvertible {
    case none
    case setup
    case cancelling
    case cancelled
    case active
    case postcopyActive
    case postcopyPaused
    case postcopyRecover
    case completed
    case failed
    case colo
    case preSwitchover
    case device
    case waitUnplug
    case unknown(String)

    private static let names: [(MigrationStatus, String)] = [
        (.none, "none"), (.setup, "setup"), (.cancelling, "cancelling"), (.cancelled, "cancelled"),
        (.active, "active"), (.postcopyActive, "postcopy-active"), (.postcopyPaused, "postcopy-paused"),
        (.postcopyRecover, "postcopy-recover"), (.completed, "completed"), (.failed, "failed"),
        (.colo, "colo"), (.preSwitchover, "pre-switchover"), (.device, "device"),
        (.waitUnplug, "wait-unplug"),
    ]

    /// The status for QEMU's string.
    public init(qemuName: String) {
        self = Self.names.first { $0.1 == qemuName }?.0 ?? .unknown(qemuName)
    }

    /// QEMU's string for the status.
    public var qemuName: String {
        if case .unknown(let name) = self { return name }
        return Self.names.first { $0.0 == self }?.1 ?? ""
    }

    public var description: String { qemuName }

    /// A migration is under way (neither not started nor finished).
    public var isInProgress: Bool {
        switch self {
        case .setup, .cancelling, .active, .postcopyActive, .postcopyPaused, .postcopyRecover,
             .colo, .preSwitchover, .device, .waitUnplug:
            return true
        case .none, .cancelled, .completed, .failed, .unknown:
            return false
        }
    }

    /// The migration is over: completed, failed or cancelled.
    public var isFinished: Bool {
        switch self {
        case .completed, .failed, .cancelled: return true
        default: return false
        }
    }
}
