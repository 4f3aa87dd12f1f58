/// What every module's error type carries: libvirt's code, the domain the
/// error comes from, and the detail libvirt passes to `virReportError`; the
/// message is the detail in the code's layout, as libvirt prints it.
///
/// libvirt: `virError` (include/libvirt/virterror.h), `virErrorMsg`.
public protocol LibvirtError: Error, CustomStringConvertible, Sendable {
    /// libvirt's error code.
    var code: ErrorNumber { get }
    /// libvirt's error domain.
    var domain: ErrorDomain { get }
    /// The detail, without the code's prefix.
    var detail: String? { get }
    /// The whole message, as `virGetLastErrorMessage` returns it.
    var message: String { get }
    /// The `errno` of a failed system call, when the error is one.
    var errno: Int32? { get }
}

extension LibvirtError {
    public var message: String { code.format(detail) }
    public var errno: Int32? { nil }
    public var description: String { message }
}
