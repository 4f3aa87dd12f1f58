import libvirt_abi

/// Errors of the domain object list, with libvirt's codes and wording.
public struct DomainObjListError: LibvirtError, Equatable {
    public let code: ErrorNumber
    public let domain: ErrorDomain
    public let detail: String?

    public init(_ code: ErrorNumber, _ detail: String?, domain: ErrorDomain = .domain) {
        self.code = code
        self.detail = detail
        self.domain = domain
    }

}
