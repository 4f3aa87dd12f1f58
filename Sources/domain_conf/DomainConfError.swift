import libvirt_abi

/// Errors of domain XML parsing, formatting and validation, with libvirt's
/// codes and wording.
public struct DomainConfError: LibvirtError, Equatable {
    public let code: ErrorNumber
    public let domain: ErrorDomain
    /// The detail alone, as libvirt passes it to `virReportError`.
    public let detail: String?

    public init(_ code: ErrorNumber, _ detail: String?, domain: ErrorDomain = .domain) {
        self.code = code
        self.detail = detail
        self.domain = domain
    }

}
