import libvirt_abi
import qemu_domain
import qemu_monitor
import virdomainobjlist

/// Migration tuning, before and during a migration: the entry points of
/// `virsh migrate-setspeed`, `migrate-getspeed`, `migrate-setmaxdowntime`
/// and `migrate-getmaxdowntime`.
extension QemuConnection {
    /// `VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY`.
    public static let maxSpeedPostcopy: UInt32 = 1

    /// libvirt: `virCheckFlags`.
    static func checkFlags(_ flags: UInt32, allowed: UInt32, _ function: String) throws(VirError) {
        let bad = flags & ~allowed
        if bad != 0 {
            throw VirError.unsupportedFlags(bad, in: function)
        }
    }

    /// Sets the downtime limit: on the running QEMU at once (a migration in
    /// progress takes it for its next iteration), and for the migrations
    /// that follow.
    ///
    /// libvirt: `qemuDomainMigrateSetMaxDowntime`.
    public func migrateSetMaxDowntime(_ dom: DomainRef, milliseconds: UInt64, flags: UInt32 = 0) async throws(VirError) {
        try Self.checkFlags(flags, allowed: 0, "qemuDomainMigrateSetMaxDowntime")
        let obj = try obj(dom)
        try await withJob(obj, .migrationOp, api: "qemuDomainMigrateSetMaxDowntime") { () throws(VirError) in
            guard obj.isActive, let instance = obj.qemu.instance else { throw VirError.notRunning }
            guard milliseconds <= UInt64(Int64.max) else {
                throw VirError(.overflow, "downtime must be less than \(UInt64(Int64.max) + 1)")
            }
            do throws(QemuMonitorError) {
                try await instance.monitor().migrateSetParameters(["downtime-limit": .int(Int64(milliseconds))])
            } catch {
                throw VirError(error)
            }
            var limits = state.migrationLimits(obj.uuid)
            limits.downtime = milliseconds
            try state.setMigrationLimits(obj.uuid, limits)
        }
    }

    /// The downtime limit QEMU holds.
    ///
    /// libvirt: `qemuDomainMigrateGetMaxDowntime`.
    public func migrateGetMaxDowntime(_ dom: DomainRef, flags: UInt32 = 0) async throws(VirError) -> UInt64 {
        try Self.checkFlags(flags, allowed: 0, "qemuDomainMigrateGetMaxDowntime")
        let obj = try obj(dom)
        return try await withJob(obj, .query, api: "qemuDomainMigrateGetMaxDowntime") { () throws(VirError) -> UInt64 in
            guard obj.isActive, let instance = obj.qemu.instance else { throw VirError.notRunning }
            let params: [String: JSONValue]
            do throws(QemuMonitorError) { params = try await instance.monitor().queryMigrateParameters() } catch {
                throw VirError(error)
            }
            guard let value = params["downtime-limit"]?.int64Value, value >= 0 else {
                throw VirError(.operationInvalid, "Querying migration downtime is not supported by QEMU binary")
            }
            return UInt64(value)
        }
    }

    /// Sets the bandwidth limit in MiB/s: remembered for an inactive
    /// domain; on a running one also set on QEMU at once (a migration in
    /// progress slows down or speeds up). With `maxSpeedPostcopy`, QEMU's
    /// post-copy limit.
    ///
    /// libvirt: `qemuDomainMigrateSetMaxSpeed`.
    public func migrateSetMaxSpeed(_ dom: DomainRef, bandwidth: UInt64, flags: UInt32 = 0) async throws(VirError) {
        try Self.checkFlags(flags, allowed: Self.maxSpeedPostcopy, "qemuDomainMigrateSetMaxSpeed")
        let obj = try obj(dom)
        let postcopy = flags & Self.maxSpeedPostcopy != 0
        let max = postcopy ? UInt64.max / 1024 / 1024 : QemuMigrationLimits.bandwidthMax
        guard bandwidth <= max else {
            throw VirError(.overflow, "bandwidth must be less than \(max &+ 1)")
        }
        if !postcopy && !obj.isActive {
            var limits = state.migrationLimits(obj.uuid)
            limits.bandwidth = bandwidth
            try state.setMigrationLimits(obj.uuid, limits)
            return
        }
        try await withJob(obj, .migrationOp, api: "qemuDomainMigrateSetMaxSpeed") { () throws(VirError) in
            guard obj.isActive, let instance = obj.qemu.instance else { throw VirError.notRunning }
            let bytes = bandwidth.multipliedReportingOverflow(by: 1024 * 1024)
            let value = bytes.overflow || bytes.partialValue > UInt64(Int64.max) ? Int64.max : Int64(bytes.partialValue)
            do throws(QemuMonitorError) {
                try await instance.monitor().migrateSetParameters([postcopy ? "max-postcopy-bandwidth" : "max-bandwidth": .int(value)])
            } catch {
                throw VirError(error)
            }
            if !postcopy {
                var limits = state.migrationLimits(obj.uuid)
                limits.bandwidth = bandwidth
                try state.setMigrationLimits(obj.uuid, limits)
            }
        }
    }

    /// The bandwidth limit in MiB/s (with `maxSpeedPostcopy`: QEMU's
    /// post-copy limit).
    ///
    /// libvirt: `qemuDomainMigrateGetMaxSpeed`.
    public func migrateGetMaxSpeed(_ dom: DomainRef, flags: UInt32 = 0) async throws(VirError) -> UInt64 {
        try Self.checkFlags(flags, allowed: Self.maxSpeedPostcopy, "qemuDomainMigrateGetMaxSpeed")
        let obj = try obj(dom)
        guard flags & Self.maxSpeedPostcopy != 0 else {
            return state.migrationLimits(obj.uuid).bandwidth ?? QemuMigrationLimits.bandwidthMax
        }
        return try await withJob(obj, .query, api: "qemuDomainMigrateGetMaxSpeed") { () throws(VirError) -> UInt64 in
            guard obj.isActive, let instance = obj.qemu.instance else { throw VirError.notRunning }
            let params: [String: JSONValue]
            do throws(QemuMonitorError) { params = try await instance.monitor().queryMigrateParameters() } catch {
                throw VirError(error)
            }
            guard let value = params["max-postcopy-bandwidth"]?.int64Value, value >= 0 else {
                throw VirError(.operationInvalid, "querying maximum post-copy migration speed is not supported by QEMU binary")
            }
            return UInt64(value) / (1024 * 1024)
        }
    }
}
