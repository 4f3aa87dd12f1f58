import Glibc

/// The project's one error: libvirt's code, the domain the error comes
/// from, and the detail libvirt passes to `virReportError` (the message is
/// the detail in the code's layout, as libvirt prints it); for a failed
/// system call, the `errno` it failed with.
///
/// Every module throws it. The two layers whose errors carry more (the QMP
/// client's `QemuMonitorError` with its QMP class, the RPC layer's
/// `RemoteError` with a server's own message) keep their types and are
/// converted once, where their callers are.
///
/// libvirt: `virError` (include/libvirt/virterror.h), `virReportError`.
public struct VirError: LibvirtError, Hashable {
    public let code: ErrorNumber
    public let domain: ErrorDomain
    /// The detail alone, as libvirt passes it to `virReportError`.
    public let detail: String?
    /// The `errno` of a failed system call, when the error is one.
    public let errno: Int32?
    /// The detail is the whole message, without the code's words around
    /// it (libvirt's `virReportInvalidArg`, which raises its format as is).
    public let verbatim: Bool

    /// libvirt: `virReportError(code, "%s", detail)` from `domain`.
    public init(_ code: ErrorNumber, _ detail: String?, domain: ErrorDomain = .qemu, errno: Int32? = nil) {
        self.code = code
        self.detail = detail
        self.domain = domain
        self.errno = errno
        self.verbatim = false
    }

    private init(verbatim detail: String, code: ErrorNumber, domain: ErrorDomain) {
        self.code = code
        self.detail = detail
        self.domain = domain
        self.errno = nil
        self.verbatim = true
    }

    /// The message as libvirt prints it.
    public var message: String { verbatim ? (detail ?? "") : code.format(detail) }

    /// Two flags given together that exclude each other.
    ///
    /// libvirt: `VIR_EXCLUSIVE_FLAGS_RET` → `virReportInvalidArg`.
    public static func exclusiveFlags(_ a: String, _ b: String, domain: ErrorDomain = .qemu) -> VirError {
        VirError(verbatim: "Flags '\(a)' and '\(b)' are mutually exclusive", code: .invalidArg, domain: domain)
    }

    /// Flags a driver function does not know (`bad`: those bits).
    ///
    /// libvirt: `virCheckFlags` → `virReportInvalidArg` ("unsupported
    /// flags (0x%x) in function %s", with no "invalid argument: " before).
    public static func unsupportedFlags(_ bad: UInt32, in function: String, domain: ErrorDomain = .qemu) -> VirError {
        VirError(verbatim: "unsupported flags (0x\(String(bad, radix: 16))) in function \(function)", code: .invalidArg, domain: domain)
    }

    /// Another layer's error (the QMP client's, the RPC layer's), with its
    /// code, domain, detail and errno.
    public init(_ error: any LibvirtError) {
        if let e = error as? VirError {
            self = e
            return
        }
        // A verbatim error that went through another layer (the RPC's)
        // stays verbatim.
        if error.message != error.code.format(error.detail), let detail = error.detail, error.message == detail {
            self.init(verbatim: detail, code: error.code, domain: error.domain)
            return
        }
        self.init(error.code, error.detail, domain: error.domain, errno: error.errno)
    }

    /// Any error, unknown ones as internal errors.
    public static func wrap(_ error: any Error) -> VirError {
        if let e = error as? any LibvirtError { return VirError(e) }
        return VirError(.internalError, "\(error)")
    }

    /// An error of the domain configuration code (`VIR_FROM_DOMAIN`, as
    /// src/conf/ reports them).
    public static func conf(_ code: ErrorNumber, _ detail: String?) -> VirError {
        VirError(code, detail, domain: .domain)
    }

    /// A failed system call, worded as `virReportSystemError` words it:
    /// `MESSAGE: strerror(errno)`. Pass `errno` first, as the call site's
    /// first argument, so that it is read before the message is built.
    ///
    /// libvirt: `virReportSystemError`.
    public static func system(_ err: Int32, _ message: String, domain: ErrorDomain = .qemu) -> VirError {
        VirError(.systemError, "\(message): \(strerror(err))", domain: domain, errno: err)
    }

    /// The text of an errno value.
    ///
    /// libvirt: `g_strerror`.
    public static func strerror(_ err: Int32) -> String {
        guard let s = Glibc.strerror(err) else { return "Unknown error \(err)" }
        return String(cString: s)
    }
}
