import libvirt_abi

/// Errors of the driver's API, with libvirt's codes and wording.
public struct QemuDriverError: LibvirtError, Equatable {
    public let code: ErrorNumber
    public let domain: ErrorDomain
    public let detail: String?

    public init(_ code: ErrorNumber, _ detail: String?, domain: ErrorDomain = .qemu) {
        self.code = code
        self.detail = detail
        self.domain = domain
    }

    /// Carries another module's error through the API unchanged.
    public init(_ error: any LibvirtError) {
        self.code = error.code
        self.domain = error.domain
        self.detail = error.detail
    }

    /// Any error as a driver error (unknown ones as internal errors).
    public static func wrap(_ error: any Error) -> QemuDriverError {
        if let e = error as? any LibvirtError { return QemuDriverError(e) }
        return QemuDriverError(.internalError, "\(error)")
    }
}
