import domain_conf
import virdomainobjlist

/// The limits a user set for a domain's migrations, between and during
/// migrations: the bandwidth (`virDomainMigrateSetMaxSpeed`) and the
/// downtime (`virDomainMigrateSetMaxDowntime`). A migration without its own
/// `bandwidth` or downtime parameter uses them instead of the local
/// defaults (unlimited, 20 ms). Kept in the status file, so that the next
/// driver process (the next virsh command on an embedded root) has them.
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

    /// The status file's `<migrationLimits>`; `nil` when nothing is set.
    var element: XMLElement? {
        var attributes: [XMLAttribute] = []
        if let bandwidth { attributes.append(XMLAttribute("bandwidth", String(bandwidth))) }
        if let downtime { attributes.append(XMLAttribute("downtime", String(downtime))) }
        return attributes.isEmpty ? nil : XMLElement(QemuStatusExtra.migrationLimits.rawValue, attributes: attributes)
    }

    init(element e: XMLElement?) {
        bandwidth = e?.attribute("bandwidth").flatMap(UInt64.init)
        downtime = e?.attribute("downtime").flatMap(UInt64.init)
    }
}

extension QemuDomainPrivate {
    /// The domain's migration limits (in the status file of a running
    /// instance; in memory only for an inactive domain, as libvirt keeps
    /// `migMaxBandwidth`).
    public var migrationLimits: QemuMigrationLimits {
        get { QemuMigrationLimits(element: statusExtra(.migrationLimits)) }
        set { setStatusExtra(.migrationLimits, newValue.element) }
    }
}
