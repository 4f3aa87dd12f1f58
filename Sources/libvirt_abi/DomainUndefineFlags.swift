import CLibvirt

/// What `virDomainUndefineFlags` removes with the definition, or keeps.
///
/// libvirt: `virDomainUndefineFlagsValues` (include/libvirt/libvirt-domain.h).
public struct DomainUndefineFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    init(_ c: virDomainUndefineFlagsValues) { self.rawValue = c.rawValue }

    public static let managedSave = DomainUndefineFlags(VIR_DOMAIN_UNDEFINE_MANAGED_SAVE)
    public static let snapshotsMetadata = DomainUndefineFlags(VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA)
    /// Remove the UEFI variable store too.
    public static let nvram = DomainUndefineFlags(VIR_DOMAIN_UNDEFINE_NVRAM)
    /// Keep the UEFI variable store.
    public static let keepNVRAM = DomainUndefineFlags(VIR_DOMAIN_UNDEFINE_KEEP_NVRAM)
    public static let checkpointsMetadata = DomainUndefineFlags(VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA)
    public static let tpm = DomainUndefineFlags(VIR_DOMAIN_UNDEFINE_TPM)
    public static let keepTPM = DomainUndefineFlags(VIR_DOMAIN_UNDEFINE_KEEP_TPM)

    /// Every flag libvirt 9.0 defines.
    public static let all: DomainUndefineFlags = [.managedSave, .snapshotsMetadata, .nvram, .keepNVRAM,
                                                  .checkpointsMetadata, .tpm, .keepTPM]
}
