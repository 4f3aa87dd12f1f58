import libvirt_abi

/// Errors of migration, with libvirt's codes and wording.
public struct QemuMigrationError: LibvirtError, Equatable {
    public let code: ErrorNumber
    public let domain: ErrorDomain
    public let detail: String?

    public init(_ code: ErrorNumber, _ detail: String?, domain: ErrorDomain = .qemu) {
        self.code = code
        self.detail = detail
        self.domain = domain
    }

    /// Another module's error, unchanged.
    public init(_ error: any LibvirtError) {
        self.code = error.code
        self.domain = error.domain
        self.detail = error.detail
    }

    static func wrap(_ error: any Error) -> QemuMigrationError {
        if let e = error as? any LibvirtError { return QemuMigrationError(e) }
        return QemuMigrationError(.internalError, "\(error)")
    }
}
