import CLibvirt

/// Names of typed migration parameters (`VIR_MIGRATE_PARAM_*`).
///
/// libvirt: the `VIR_MIGRATE_PARAM_*` macros (include/libvirt/libvirt-domain.h).
public enum MigrateParam {
    public static let uri = VIR_MIGRATE_PARAM_URI
    public static let destName = VIR_MIGRATE_PARAM_DEST_NAME
    public static let destXML = VIR_MIGRATE_PARAM_DEST_XML
    public static let persistXML = VIR_MIGRATE_PARAM_PERSIST_XML
    public static let bandwidth = VIR_MIGRATE_PARAM_BANDWIDTH
    public static let bandwidthPostcopy = VIR_MIGRATE_PARAM_BANDWIDTH_POSTCOPY
    public static let graphicsURI = VIR_MIGRATE_PARAM_GRAPHICS_URI
    public static let listenAddress = VIR_MIGRATE_PARAM_LISTEN_ADDRESS
    public static let migrateDisks = VIR_MIGRATE_PARAM_MIGRATE_DISKS
    public static let disksPort = VIR_MIGRATE_PARAM_DISKS_PORT
    public static let disksURI = VIR_MIGRATE_PARAM_DISKS_URI
    public static let compression = VIR_MIGRATE_PARAM_COMPRESSION
    public static let parallelConnections = VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS
    public static let tlsDestination = VIR_MIGRATE_PARAM_TLS_DESTINATION
    public static let autoConvergeInitial = VIR_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL
    public static let autoConvergeIncrement = VIR_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT

    /// The downtime limit in milliseconds for this migration. libvirt 9.0
    /// has no typed parameter for it (only `virDomainMigrateSetMaxDowntime`);
    /// the series' local migration takes it here.
    public static let downtime = "downtime"

    /// How a local migration moves the guest: `cpr-transfer` (QEMU hands
    /// the new QEMU its RAM's descriptors) or `normal` (the migration
    /// stream, with `x-ignore-shared` for a shared RAM file). Absent: the
    /// driver chooses `cpr-transfer` whenever both QEMUs and the guest's RAM
    /// allow it. The series' own parameter; libvirt 9.0 has none.
    public static let localMode = "local_mode"
}
