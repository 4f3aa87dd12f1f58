import libvirt_abi

extension PausedReason {
    /// libvirt's paused reason for QEMU's `query-status` status string.
    ///
    /// libvirt: `qemuMonitorVMStatusToPausedReason`.
    public init(qemuStatus status: String?) {
        switch status {
        case "inmigrate", "postmigrate", "finish-migrate": self = .migration
        case "io-error": self = .ioError
        case "paused", "prelaunch": self = .user
        case "save-vm": self = .save
        case "shutdown": self = .shuttingDown
        case "watchdog": self = .watchdog
        case "guest-panicked": self = .crashed
        default: self = .unknown // debug, internal-error, restore-vm, running, unknown or missing
        }
    }
}
