/// What every module's error type carries: libvirt's code, the domain the
/// error comes from, and the message as libvirt prints it.
///
/// libvirt: `virError` (include/libvirt/virterror.h).
public protocol LibvirtError: Error, CustomStringConvertible, Sendable {
    /// libvirt's error code.
    var code: ErrorNumber { get }
    /// libvirt's error domain.
    var domain: ErrorDomain { get }
    /// The whole message, as `virGetLastErrorMessage` returns it.
    var message: String { get }
}

extension LibvirtError {
    public var description: String { message }
}
