import libvirt_abi

/// Every error of the QMP client, with libvirt's code and wording.
///
/// `detail` is the text libvirt passes to `virReportError`; `message` wraps it
/// in the layout libvirt gives the code (`internal error: …`). For an error
/// reply from QEMU, `qmpClass` keeps the QMP error class (`CommandNotFound`,
/// `GenericError`, `DeviceNotActive`, …); for a failed system call, `errno`
/// keeps the number.
public struct QemuMonitorError: LibvirtError, Hashable {
    public let code: ErrorNumber
    public let domain: ErrorDomain
    /// The detail alone, as libvirt passes it to `virReportError`.
    public let detail: String?
    /// The `class` of a QMP error reply, when the error is one.
    public let qmpClass: String?
    /// The `errno` of a failed system call, when the error is one.
    public let errno: Int32?

    public init(_ code: ErrorNumber, _ detail: String?, qmpClass: String? = nil, errno: Int32? = nil,
                domain: ErrorDomain = .qemu) {
        self.code = code
        self.detail = detail
        self.qmpClass = qmpClass
        self.errno = errno
        self.domain = domain
    }


    /// Whether QEMU answered with a QMP error of class `qmpClass`
    /// (libvirt: `qemuMonitorJSONHasError`).
    public func hasQMPClass(_ qmpClass: String) -> Bool { self.qmpClass == qmpClass }

    /// Whether the connection ended because QEMU closed its end.
    public var isEndOfFile: Bool { self == .endOfFile }
}

extension QemuMonitorError {
    /// QEMU closed the monitor connection (it exited, crashed, or was killed).
    ///
    /// libvirt: `qemuMonitorIO`/`qemuMonitorSend` ("End of file from qemu monitor").
    public static let endOfFile = QemuMonitorError(.operationFailed, "End of file from qemu monitor")

    /// The owner closed the monitor while a command was waiting, or used it afterwards.
    ///
    /// libvirt: `qemuMonitorClose` ("QEMU monitor was closed").
    public static let monitorClosed = QemuMonitorError(.operationFailed, "QEMU monitor was closed")

    /// A QMP `error` reply to `command`.
    ///
    /// libvirt: `qemuMonitorJSONCheckErrorFull`, `qemuMonitorJSONStringifyError`.
    static func commandFailed(_ command: String, error: JSONValue?) -> QemuMonitorError {
        guard let error else {
            return QemuMonitorError(.internalError, "unable to execute QEMU command '\(command)'")
        }
        let qmpClass = error["class"]?.stringValue
        let desc = qmpClass == nil ? nil : error["desc"]?.stringValue
        return QemuMonitorError(.internalError,
                                "unable to execute QEMU command '\(command)': \(desc ?? "unknown QEMU command error")",
                                qmpClass: qmpClass)
    }

    /// A failed system call, laid out like `virReportSystemError`: `what: strerror`.
    static func system(_ errnoValue: Int32, _ what: String) -> QemuMonitorError {
        QemuMonitorError(.systemError, "\(what): \(VirError.strerror(errnoValue))", errno: errnoValue)
    }

    /// The reply to `command` carried no usable `return` of the expected type.
    ///
    /// libvirt: `qemuMonitorJSONGetReply`.
    static func unexpectedType(_ command: String) -> QemuMonitorError {
        QemuMonitorError(.internalError, "unexpected type returned by QEMU command '\(command)'")
    }

    /// A monitor line, cut to a size that keeps messages readable.
    static func quoted(_ line: String) -> String {
        let limit = 1024
        guard line.utf8.count > limit else { return line }
        return String(decoding: line.utf8.prefix(limit), as: UTF8.self) + "..."
    }

    /// `duration` as people write it in messages: "1 second", "0.5 seconds", "60 seconds".
    static func seconds(_ duration: Duration) -> String {
        let (whole, attos) = duration.components
        let millis = attos / 1_000_000_000_000_000
        if millis == 0 { return whole == 1 ? "1 second" : "\(whole) seconds" }
        var fraction = String(millis)
        while fraction.count < 3 { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(whole).\(fraction) seconds"
    }
}
