/// The reply to `query-migrate` (QEMU's `MigrationInfo`). Times are in
/// milliseconds.
///
/// libvirt: `qemuMonitorMigrationStats`, filled by
/// `qemuMonitorJSONGetMigrationStatsReply`.
public struct MigrationStats: Sendable, Hashable {
    /// `.none` when no migration ever ran (QEMU then leaves `status` out).
    public var status: MigrationStatus
    /// Time since the migration started (`total-time`).
    public var totalTime: UInt64?
    /// The actual downtime, once completed.
    public var downtime: UInt64?
    /// QEMU's estimate while the migration runs (`expected-downtime`).
    public var expectedDowntime: UInt64?
    public var setupTime: UInt64?
    /// Auto-converge throttling of the vCPUs, in percent.
    public var cpuThrottlePercentage: Int?
    /// RAM progress; `nil` when QEMU sent none (not started, setup, cancelled).
    public var ram: MigrationRAMStats?
    /// Why the migration failed (`error-desc`, with status `failed`).
    public var errorDescription: String?
    /// QEMU's whole `return` object, for members not modelled here.
    public var reply: JSONValue

    public init(status: MigrationStatus, reply: JSONValue = .object([:])) {
        self.status = status
        self.reply = reply
    }

    /// Reads a `query-migrate` `return` object.
    ///
    /// libvirt: `qemuMonitorJSONGetMigrationStatsReply`.
    public init(qmp info: JSONValue) throws(QemuMonitorError) {
        let status: MigrationStatus
        switch info["status"] {
        case nil:
            status = .none
        case .string(let name)?:
            status = MigrationStatus(qemuName: name)
        default:
            throw QemuMonitorError(.internalError, "info migration reply was missing return status")
        }
        self.init(status: status, reply: info)
        totalTime = info["total-time"]?.uint64Value
        downtime = info["downtime"]?.uint64Value
        expectedDowntime = info["expected-downtime"]?.uint64Value
        setupTime = info["setup-time"]?.uint64Value
        cpuThrottlePercentage = info["cpu-throttle-percentage"]?.intValue
        if status == .failed {
            errorDescription = info["error-desc"]?.stringValue
        }
        if let ram = info["ram"] {
            switch status {
            case .active, .postcopyActive, .postcopyPaused, .postcopyRecover, .completed, .cancelling,
                 .preSwitchover, .device:
                // libvirt insists on the main counters in these states.
                self.ram = try MigrationRAMStats(qmp: ram)
            default:
                // Before the transfer QEMU may report a partial section:
                // libvirt reads what is there and asks for nothing.
                self.ram = try? MigrationRAMStats(qmp: ram)
            }
        }
    }
}
