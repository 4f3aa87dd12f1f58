import libvirt_abi

/// Errors of starting, stopping and finding QEMU processes, with libvirt's
/// codes and wording.
public struct QemuProcessError: LibvirtError, Equatable {
    public let code: ErrorNumber
    public let domain: ErrorDomain
    public let detail: String?

    public init(_ code: ErrorNumber, _ detail: String?, domain: ErrorDomain = .qemu) {
        self.code = code
        self.detail = detail
        self.domain = domain
    }

    /// A failed system call, as `virReportSystemError` words it:
    /// `MESSAGE: strerror(errno)`.
    public static func system(_ err: Int32, _ message: String) -> QemuProcessError {
        QemuProcessError(.systemError, "\(message): \(SystemErrno.describe(err))")
    }

}
