import Foundation
import domain_conf
import libvirt_abi

/// The typed parameters of a migration (`VIR_MIGRATE_PARAM_*`) this driver
/// acts on; any other is refused by name.
///
/// libvirt: `qemuMigrationParams` and the `QEMU_MIGRATION_PARAMETERS` list
/// checked with `virTypedParamsValidate` (src/qemu/qemu_migration.h).
public struct QemuMigrationParams: Sendable, Equatable {
    /// `destination_xml`: the definition the destination runs; may change
    /// the emulator (the QEMU upgrade), not the guest ABI.
    public var destXML: String?
    /// `destination_name`: a local migration keeps the domain's name.
    public var destName: String?
    /// `persistent_xml`: the persistent definition after the migration.
    public var persistXML: String?
    /// `bandwidth` in MiB/s; `nil`: unlimited for a local migration.
    public var bandwidth: UInt64?
    /// `migrate_uri`: where the destination listens (`unix:PATH` or
    /// `tcp:HOST:PORT`); `nil`: a socket in its instance directory.
    public var migrateURI: String?
    /// Downtime limit in ms; `nil`: the local default.
    public var downtime: UInt64?
    /// `local_mode`: the mode asked for; `nil`: the driver chooses.
    public var localMode: QemuMigrationMode?

    /// What this driver accepts.
    public static let known: Set<String> = [MigrateParam.destXML, MigrateParam.destName, MigrateParam.persistXML,
                                            MigrateParam.bandwidth, MigrateParam.uri, MigrateParam.downtime,
                                            MigrateParam.localMode]

    public init() {}

    public init(_ params: [TypedParameter]) throws(VirError) {
        for p in params where !Self.known.contains(p.name) {
            throw VirError(.argumentUnsupported, "parameter '\(p.name)' not supported")
        }
        func string(_ name: String) throws(VirError) -> String? {
            guard let p = params.last(where: { $0.name == name }) else { return nil }
            guard case .string(let s) = p.value else {
                throw VirError(.invalidArg, "invalid type for parameter '\(name)', expected string")
            }
            return s
        }
        func number(_ name: String) throws(VirError) -> UInt64? {
            guard params.contains(where: { $0.name == name }) else { return nil }
            guard let v = params.unsigned(name) else {
                throw VirError(.invalidArg, "invalid value for parameter '\(name)', expected a non-negative integer")
            }
            return v
        }
        destXML = try string(MigrateParam.destXML)
        destName = try string(MigrateParam.destName)
        persistXML = try string(MigrateParam.persistXML)
        bandwidth = try number(MigrateParam.bandwidth)
        migrateURI = try string(MigrateParam.uri)
        downtime = try number(MigrateParam.downtime)
        if let mode = try string(MigrateParam.localMode) {
            guard let m = QemuMigrationMode(rawValue: mode) else {
                throw VirError(.invalidArg, "invalid value '\(mode)' for parameter '\(MigrateParam.localMode)', expected 'cpr-transfer' or 'normal'")
            }
            localMode = m
        }
        if let uri = migrateURI, !(uri.hasPrefix("unix:") || uri.hasPrefix("tcp:")) {
            throw VirError(.argumentUnsupported, "migration URI '\(uri)' is not supported for local migration; use unix:PATH or tcp:HOST:PORT")
        }
        if let bw = bandwidth, bw == 0 || bw > UInt64(Int64.max) / 1_048_576 {
            throw VirError(.overflow, "bandwidth must be between 1 and \(UInt64(Int64.max) / 1_048_576) MiB/s")
        }
    }
}
