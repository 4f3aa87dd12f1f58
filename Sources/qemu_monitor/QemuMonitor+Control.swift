import virutil

/// Typed wrappers for running, pausing and stopping the guest, and the human
/// monitor.
extension QemuMonitor {
    /// Whether the vCPUs run, and QEMU's `RunState` string (`prelaunch`,
    /// `running`, `paused`, `inmigrate`, `postmigrate`, `shutdown`, …); see
    /// `PausedReason(qemuStatus:)` for libvirt's paused reason.
    ///
    /// libvirt: `qemuMonitorJSONGetStatus`.
    public func queryStatus(timeout: Duration = .seconds(60)) async throws(QemuMonitorError) -> (running: Bool, status: String) {
        let reply = try await executeObject("query-status", timeout: timeout)
        guard let running = reply["running"]?.boolValue else {
            throw QemuMonitorError(.internalError, "query-status reply was missing running state")
        }
        return (running, reply["status"]?.stringValue ?? "")
    }

    /// Starts or resumes the vCPUs (`cont`). Like libvirt, retries a few times
    /// while QEMU answers `MigrationExpected` (incoming migration not finished).
    ///
    /// libvirt: `qemuMonitorJSONStartCPUs`.
    public func cont() async throws(QemuMonitorError) {
        var attempt = 0
        while true {
            do {
                _ = try await execute("cont")
                return
            } catch {
                attempt += 1
                guard error.hasQMPClass("MigrationExpected"), attempt <= 3 else { throw error }
                await VirTime.pause(.milliseconds(250))
            }
        }
    }

    /// Pauses the vCPUs (`stop`).
    ///
    /// libvirt: `qemuMonitorJSONStopCPUs`.
    public func stop() async throws(QemuMonitorError) {
        _ = try await execute("stop")
    }

    /// Asks QEMU to exit (`quit`). QEMU replies and then closes the monitor;
    /// should the connection end before the reply is read, that counts as
    /// success too. The monitor then delivers `.closed(.endOfFile)`.
    ///
    /// libvirt: `qemuMonitorJSONQuit` (older releases; 9.0 kills the process instead).
    public func quit() async throws(QemuMonitorError) {
        do {
            _ = try await execute("quit")
        } catch where error.isEndOfFile || error == .monitorClosed {
            // QEMU closed the monitor as it quit, or had closed it already
            // (it is on its way out): either way, no longer running.
            return
        }
    }

    /// Presses the ACPI power button (`system_powerdown`).
    ///
    /// libvirt: `qemuMonitorJSONSystemPowerdown`.
    public func systemPowerdown() async throws(QemuMonitorError) {
        _ = try await execute("system_powerdown")
    }

    /// Resets the machine (`system_reset`).
    ///
    /// libvirt: `qemuMonitorJSONSystemReset`.
    public func systemReset() async throws(QemuMonitorError) {
        _ = try await execute("system_reset")
    }

    /// Runs one HMP command line through `human-monitor-command` and returns
    /// its output; `fd`, when given, goes along with the command
    /// (`SCM_RIGHTS`, for `getfd`).
    ///
    /// libvirt: `qemuMonitorJSONHumanCommand`.
    public func humanMonitorCommand(_ line: String, fd: Int32? = nil,
                                    timeout: Duration = .seconds(60)) async throws(QemuMonitorError) -> String {
        do {
            let output = try await execute("human-monitor-command", ["command-line": .string(line)], fd: fd, timeout: timeout)
            return output.stringValue ?? ""
        } catch where error.hasQMPClass("CommandNotFound") {
            throw QemuMonitorError(.operationUnsupported, "Human monitor command is not available to run \(line)")
        }
    }

    /// Reads the 32-bit word at guest-physical `address` with HMP
    /// `xp /1wu ADDRESS` (output `0000000000000500: 123`).
    ///
    /// No libvirt counterpart (libvirt's `virDomainMemoryPeek` uses `pmemsave`);
    /// the tests use it to read a guest's counter.
    public func readGuestMemory32(at address: UInt64) async throws(QemuMonitorError) -> UInt32 {
        let hex = String(address, radix: 16)
        let output = try await humanMonitorCommand("xp /1wu 0x\(hex)")
        let firstLine = output.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let parts = firstLine.split(separator: ":", maxSplits: 1)
        if parts.count == 2,
           UInt64(parts[0].trimmingSpaces, radix: 16) == address,
           let value = UInt32(parts[1].trimmingSpaces) {
            return value
        }
        throw QemuMonitorError(.internalError,
                               "cannot read guest memory at 0x\(hex): unexpected output '\(QemuMonitorError.quoted(output))'")
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\t" { s.removeLast() }
        return s
    }
}
