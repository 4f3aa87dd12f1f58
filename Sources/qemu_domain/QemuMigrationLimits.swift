import Glibc
import domain_conf
import libvirt_abi
import virdomainobjlist
import virutil

/// The limits a user set for a domain's migrations, between and during
/// migrations: the bandwidth (`virDomainMigrateSetMaxSpeed`) and the
/// downtime (`virDomainMigrateSetMaxDowntime`). A migration without its own
/// `bandwidth` or downtime parameter uses them instead of the local
/// defaults (unlimited, 20 ms). They belong to the domain, running or
/// not, for as long as it is defined (a transient one: while it runs), as
/// libvirt keeps them on the domain object; a file per UUID in the state
/// directory lets the next driver process (the next virsh command on an
/// embedded root) have them, and a local migration keeps them (the
/// domain stays on the host).
///
/// libvirt: `qemuDomainObjPrivate.migMaxBandwidth` (the downtime lives in
/// QEMU's own parameters there; here a migration sets QEMU's downtime, so
/// the user's value is kept beside the bandwidth).
public struct QemuMigrationLimits: Sendable, Equatable {
    /// libvirt: `QEMU_DOMAIN_MIG_BANDWIDTH_MAX`, in MiB/s (what QEMU's
    /// `max-bandwidth` holds in bytes/s, an int64).
    public static let bandwidthMax: UInt64 = UInt64(Int64.max) / (1024 * 1024)

    /// MiB/s; `nil`: never set (reported as `bandwidthMax`).
    public var bandwidth: UInt64?
    /// ms; `nil`: never set.
    public var downtime: UInt64?

    public init(bandwidth: UInt64? = nil, downtime: UInt64? = nil) {
        self.bandwidth = bandwidth
        self.downtime = downtime
    }

    /// The file's text: `bandwidth=N` and `downtime=N` lines.
    var text: String {
        (bandwidth.map { "bandwidth=\($0)\n" } ?? "") + (downtime.map { "downtime=\($0)\n" } ?? "")
    }

    init(text: String) {
        for line in text.split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2, let v = UInt64(kv[1]) else { continue }
            if kv[0] == "bandwidth" { bandwidth = v } else if kv[0] == "downtime" { downtime = v }
        }
    }
}

extension QemuDriverState {
    func migrationLimitsFile(_ uuid: DomainUUID) -> String { "\(config.stateDir)/migration-limits/\(uuid)" }

    /// The limits a user set for domain `uuid`'s migrations.
    public func migrationLimits(_ uuid: DomainUUID) -> QemuMigrationLimits {
        // No file: nothing was set.
        guard let text = try? String(contentsOfFile: migrationLimitsFile(uuid), encoding: .utf8) else { return QemuMigrationLimits() }
        return QemuMigrationLimits(text: text)
    }

    /// Keeps the limits (`nil`: forgets them, the domain is gone).
    public func setMigrationLimits(_ uuid: DomainUUID, _ limits: QemuMigrationLimits?) throws(VirError) {
        let file = migrationLimitsFile(uuid)
        guard let limits, !limits.text.isEmpty else {
            log.bestEffort("forget migration limits", domain: uuid.description) { try VirFile.remove(file) }
            return
        }
        mkdir(config.stateDir + "/migration-limits", 0o700)
        try AtomicFile.write(limits.text, to: file, mode: 0o600, durable: false)
    }
}
