import libvirt_abi

/// Errors of domain-level operations (jobs, state checks), with libvirt's
/// codes and wording.
public struct QemuDomainError: LibvirtError, Equatable {
    public let code: ErrorNumber
    public let domain: ErrorDomain
    public let detail: String?

    public init(_ code: ErrorNumber, _ detail: String?, domain: ErrorDomain = .qemu) {
        self.code = code
        self.detail = detail
        self.domain = domain
    }


    /// libvirt: `virDomainObjCheckActive`.
    public static let notRunning = QemuDomainError(.operationInvalid, "domain is not running")
}
