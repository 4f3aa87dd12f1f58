/// Typed wrappers for migration.
extension QemuMonitor {
    /// Migration progress (`query-migrate`).
    ///
    /// libvirt: `qemuMonitorJSONGetMigrationStats`.
    public func queryMigrate(timeout: Duration = .seconds(60)) async throws(QemuMonitorError) -> MigrationStats {
        let info = try await executeObject("query-migrate", timeout: timeout)
        return try MigrationStats(qmp: .object(info))
    }

    /// Starts an outgoing migration to `uri` (e.g. `unix:/path/migrate.sock`).
    /// The command returns at once (`detach`, always the case in QEMU 7.2);
    /// follow progress with `queryMigrate()` or the `MIGRATION` event.
    ///
    /// libvirt: `qemuMonitorJSONMigrate`.
    public func migrate(uri: String, resume: Bool = false) async throws(QemuMonitorError) {
        _ = try await execute("migrate", ["detach": true, "resume": .bool(resume), "uri": .string(uri)])
    }

    /// A `cpr-transfer` migration (mode set with `migrateSetParameters`):
    /// QEMU sends its descriptors to the `cpr` socket, waits for the new
    /// QEMU to take them, then sends its state to the `main` socket.
    ///
    /// QMP: `migrate` with `channels` (QEMU 9.1; `cpr` channels 10.0).
    public func migrateCPRTransfer(main: String, cpr: String) async throws(QemuMonitorError) {
        _ = try await execute("migrate", ["detach": true, "channels": .array([
            Self.unixChannel("main", path: main), Self.unixChannel("cpr", path: cpr),
        ])])
    }

    /// A `MigrationChannel` on a UNIX socket.
    static func unixChannel(_ type: String, path: String) -> JSONValue {
        .object(["channel-type": .string(type),
                 "addr": .object(["transport": "socket", "type": "unix", "path": .string(path)])])
    }

    /// Hands QEMU a descriptor under `name` (`SCM_RIGHTS`), for an
    /// `fd:NAME` migration URI.
    ///
    /// libvirt: `qemuMonitorSendFileHandle` (`getfd`).
    public func getfd(_ fd: Int32, name: String) async throws(QemuMonitorError) {
        _ = try await execute("getfd", ["fdname": .string(name)], fd: fd, timeout: .seconds(60))
    }

    /// Starts listening for an incoming migration (QEMU started with `-incoming defer`).
    ///
    /// libvirt: `qemuMonitorJSONMigrateIncoming`.
    public func migrateIncoming(uri: String) async throws(QemuMonitorError) {
        _ = try await execute("migrate-incoming", ["uri": .string(uri)])
    }

    /// Cancels the outgoing migration (`migrate_cancel`).
    ///
    /// libvirt: `qemuMonitorJSONMigrateCancel`.
    public func migrateCancel() async throws(QemuMonitorError) {
        _ = try await execute("migrate_cancel")
    }

    /// Turns migration capabilities on or off (`migrate-set-capabilities`
    /// with `capabilities: [{capability, state}]`), e.g. `["x-ignore-shared": true]`.
    ///
    /// libvirt: `qemuMonitorJSONSetMigrationCapabilities`.
    public func migrateSetCapabilities(_ capabilities: [String: Bool]) async throws(QemuMonitorError) {
        let list: [JSONValue] = capabilities.keys.sorted().map { name in
            ["capability": .string(name), "state": .bool(capabilities[name] ?? false)]
        }
        _ = try await execute("migrate-set-capabilities", ["capabilities": .array(list)])
    }

    /// Every migration capability QEMU knows, with its current state
    /// (`query-migrate-capabilities`).
    ///
    /// libvirt: `qemuMonitorJSONGetMigrationCapabilities`.
    public func queryMigrateCapabilities() async throws(QemuMonitorError) -> [String: Bool] {
        let list = try await executeArray("query-migrate-capabilities")
        var result: [String: Bool] = [:]
        for entry in list {
            guard case .object = entry else {
                throw QemuMonitorError(.internalError, "missing entry in migration capabilities list")
            }
            guard let name = entry["capability"]?.stringValue else {
                throw QemuMonitorError(.internalError, "missing migration capability name")
            }
            result[name] = entry["state"]?.boolValue ?? false
        }
        return result
    }

    /// Sets migration parameters (`migrate-set-parameters`), e.g.
    /// `["max-bandwidth": .int(Int64.max), "downtime-limit": 100]`.
    ///
    /// libvirt: `qemuMonitorJSONSetMigrationParams`.
    public func migrateSetParameters(_ parameters: [String: JSONValue]) async throws(QemuMonitorError) {
        _ = try await execute("migrate-set-parameters", parameters)
    }

    /// The current migration parameters (`query-migrate-parameters`).
    ///
    /// libvirt: `qemuMonitorJSONGetMigrationParams`.
    public func queryMigrateParameters() async throws(QemuMonitorError) -> [String: JSONValue] {
        try await executeObject("query-migrate-parameters")
    }
}
