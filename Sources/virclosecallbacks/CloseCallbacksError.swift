import libvirt_abi

/// Errors of the close callback registry, with libvirt's codes and wording.
public struct CloseCallbacksError: LibvirtError, Equatable {
    public let code: ErrorNumber
    public let domain: ErrorDomain
    public let detail: String?

    public init(_ code: ErrorNumber, _ detail: String?, domain: ErrorDomain = .qemu) {
        self.code = code
        self.detail = detail
        self.domain = domain
    }
}
