import CLibvirt
import Foundation

/// A libvirt error code (`virErrorNumber`), with the message layout libvirt
/// gives each code.
///
/// libvirt: `virErrorNumber` (include/libvirt/virterror.h) and
/// `virErrorMsgStrings` (src/util/virerror.c).
public struct ErrorNumber: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    init(_ c: virErrorNumber) { self.rawValue = Int32(bitPattern: c.rawValue) }

    public static let ok = ErrorNumber(VIR_ERR_OK)
    public static let internalError = ErrorNumber(VIR_ERR_INTERNAL_ERROR)
    public static let noMemory = ErrorNumber(VIR_ERR_NO_MEMORY)
    public static let noSupport = ErrorNumber(VIR_ERR_NO_SUPPORT)
    public static let noConnect = ErrorNumber(VIR_ERR_NO_CONNECT)
    public static let invalidConn = ErrorNumber(VIR_ERR_INVALID_CONN)
    public static let invalidDomain = ErrorNumber(VIR_ERR_INVALID_DOMAIN)
    public static let invalidArg = ErrorNumber(VIR_ERR_INVALID_ARG)
    public static let operationFailed = ErrorNumber(VIR_ERR_OPERATION_FAILED)
    public static let osType = ErrorNumber(VIR_ERR_OS_TYPE)
    public static let noSource = ErrorNumber(VIR_ERR_NO_SOURCE)
    public static let noTarget = ErrorNumber(VIR_ERR_NO_TARGET)
    public static let noName = ErrorNumber(VIR_ERR_NO_NAME)
    public static let noOS = ErrorNumber(VIR_ERR_NO_OS)
    public static let xmlError = ErrorNumber(VIR_ERR_XML_ERROR)
    public static let domExist = ErrorNumber(VIR_ERR_DOM_EXIST)
    public static let operationDenied = ErrorNumber(VIR_ERR_OPERATION_DENIED)
    public static let openFailed = ErrorNumber(VIR_ERR_OPEN_FAILED)
    public static let readFailed = ErrorNumber(VIR_ERR_READ_FAILED)
    public static let writeFailed = ErrorNumber(VIR_ERR_WRITE_FAILED)
    public static let confSyntax = ErrorNumber(VIR_ERR_CONF_SYNTAX)
    public static let xmlDetail = ErrorNumber(VIR_ERR_XML_DETAIL)
    public static let systemError = ErrorNumber(VIR_ERR_SYSTEM_ERROR)
    public static let rpc = ErrorNumber(VIR_ERR_RPC)
    public static let noDomain = ErrorNumber(VIR_ERR_NO_DOMAIN)
    public static let noNetwork = ErrorNumber(VIR_ERR_NO_NETWORK)
    public static let authFailed = ErrorNumber(VIR_ERR_AUTH_FAILED)
    public static let operationInvalid = ErrorNumber(VIR_ERR_OPERATION_INVALID)
    public static let migrateFinishOK = ErrorNumber(VIR_ERR_MIGRATE_FINISH_OK)
    public static let configUnsupported = ErrorNumber(VIR_ERR_CONFIG_UNSUPPORTED)
    public static let operationTimeout = ErrorNumber(VIR_ERR_OPERATION_TIMEOUT)
    public static let migratePersistFailed = ErrorNumber(VIR_ERR_MIGRATE_PERSIST_FAILED)
    public static let argumentUnsupported = ErrorNumber(VIR_ERR_ARGUMENT_UNSUPPORTED)
    public static let agentUnresponsive = ErrorNumber(VIR_ERR_AGENT_UNRESPONSIVE)
    public static let noHostname = ErrorNumber(VIR_ERR_NO_HOSTNAME)
    public static let operationAborted = ErrorNumber(VIR_ERR_OPERATION_ABORTED)
    public static let migrateUnsafe = ErrorNumber(VIR_ERR_MIGRATE_UNSAFE)
    public static let overflow = ErrorNumber(VIR_ERR_OVERFLOW)
    public static let operationUnsupported = ErrorNumber(VIR_ERR_OPERATION_UNSUPPORTED)
    public static let xmlInvalidSchema = ErrorNumber(VIR_ERR_XML_INVALID_SCHEMA)
    public static let deviceMissing = ErrorNumber(VIR_ERR_DEVICE_MISSING)
    public static let noDomainMetadata = ErrorNumber(VIR_ERR_NO_DOMAIN_METADATA)

    public var description: String { "virErrorNumber(\(rawValue))" }

    /// The text libvirt puts around a detail message for this code
    /// (`virErrorMsg`): `nil` detail gives the bare summary.
    public func format(_ detail: String?) -> String {
        let (bare, withDetail) = Self.layouts[self] ?? ("unknown error", "unknown error: %s")
        guard let detail else { return bare }
        return withDetail.replacingOccurrences(of: "%s", with: detail)
    }

    private static let layouts: [ErrorNumber: (String, String)] = [
        .internalError: ("internal error", "internal error: %s"),
        .noMemory: ("out of memory", "out of memory: %s"),
        .noSupport: ("this function is not supported by the connection driver",
                     "this function is not supported by the connection driver: %s"),
        .noConnect: ("no connection driver available", "no connection driver available for %s"),
        .invalidConn: ("invalid connection pointer in", "invalid connection pointer in %s"),
        .invalidDomain: ("invalid domain pointer in", "invalid domain pointer in %s"),
        .invalidArg: ("invalid argument", "invalid argument: %s"),
        .operationFailed: ("operation failed", "operation failed: %s"),
        .osType: ("unknown OS type", "unknown OS type %s"),
        .noSource: ("missing source information for device", "missing source information for device %s"),
        .noTarget: ("missing target information for device", "missing target information for device %s"),
        .noName: ("missing name information", "missing name information in %s"),
        .noOS: ("missing operating system information", "missing operating system information for %s"),
        .xmlError: ("XML description is invalid or not well formed", "XML error: %s"),
        .domExist: ("this domain exists already", "domain %s exists already"),
        .operationDenied: ("operation forbidden for read only access", "operation forbidden: %s"),
        .openFailed: ("failed to open configuration file", "failed to open configuration file %s"),
        .readFailed: ("failed to read configuration file", "failed to read configuration file %s"),
        .writeFailed: ("failed to write configuration file", "failed to write configuration file: %s"),
        .confSyntax: ("configuration file syntax error", "configuration file syntax error: %s"),
        .xmlDetail: ("parser error", "%s"),
        .systemError: ("system call error", "%s"),
        .rpc: ("RPC error", "%s"),
        .noDomain: ("Domain not found", "Domain not found: %s"),
        .noNetwork: ("Network not found", "Network not found: %s"),
        .authFailed: ("authentication failed", "authentication failed: %s"),
        .operationInvalid: ("Requested operation is not valid", "Requested operation is not valid: %s"),
        .configUnsupported: ("unsupported configuration", "unsupported configuration: %s"),
        .operationTimeout: ("Timed out during operation", "Timed out during operation: %s"),
        .migratePersistFailed: ("Failed to make domain persistent after migration",
                                "Failed to make domain persistent after migration: %s"),
        .argumentUnsupported: ("argument unsupported", "argument unsupported: %s"),
        .agentUnresponsive: ("Guest agent is not responding", "Guest agent is not responding: %s"),
        .noHostname: ("no hostname found", "no hostname found: %s"),
        .operationAborted: ("operation aborted", "operation aborted: %s"),
        .migrateUnsafe: ("Unsafe migration", "Unsafe migration: %s"),
        .overflow: ("numerical overflow", "numerical overflow: %s"),
        .operationUnsupported: ("Operation not supported", "Operation not supported: %s"),
        .xmlInvalidSchema: ("XML document failed to validate against schema",
                            "XML document failed to validate against schema: %s"),
        .deviceMissing: ("device not found", "device not found: %s"),
        .noDomainMetadata: ("metadata not found", "metadata not found: %s"),
    ]
}
