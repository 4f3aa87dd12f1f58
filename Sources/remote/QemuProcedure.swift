/// A procedure number of the QEMU program (`QEMU_PROGRAM`), the API of
/// libvirt-qemu.so. An open set, like `RemoteProcedure`.
///
/// libvirt: `enum qemu_procedure` (src/remote/qemu_protocol.x).
public struct QemuProcedure: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `QEMU_PROC_DOMAIN_MONITOR_COMMAND`.
    public static let domainMonitorCommand = QemuProcedure(rawValue: 1)
    /// `QEMU_PROC_DOMAIN_ATTACH`.
    public static let domainAttach = QemuProcedure(rawValue: 2)
    /// `QEMU_PROC_DOMAIN_AGENT_COMMAND`.
    public static let domainAgentCommand = QemuProcedure(rawValue: 3)
    /// `QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_REGISTER`.
    public static let connectDomainMonitorEventRegister = QemuProcedure(rawValue: 4)
    /// `QEMU_PROC_CONNECT_DOMAIN_MONITOR_EVENT_DEREGISTER`.
    public static let connectDomainMonitorEventDeregister = QemuProcedure(rawValue: 5)
    /// `QEMU_PROC_DOMAIN_MONITOR_EVENT`: an event the server sends, not a call.
    public static let domainMonitorEvent = QemuProcedure(rawValue: 6)
    /// `QEMU_PROC_DOMAIN_MONITOR_COMMAND_WITH_FILES`.
    public static let domainMonitorCommandWithFiles = QemuProcedure(rawValue: 7)

    /// The public API each call carries (libvirt-qemu.c), `nil` for the
    /// event and for numbers outside the program.
    public var apiName: String? {
        switch rawValue {
        case 1: return "virDomainQemuMonitorCommand"
        case 2: return "virDomainQemuAttach"
        case 3: return "virDomainQemuAgentCommand"
        case 4: return "virConnectDomainQemuMonitorEventRegister"
        case 5: return "virConnectDomainQemuMonitorEventDeregister"
        case 7: return "virDomainQemuMonitorCommandWithFiles"
        default: return nil
        }
    }

    public var description: String { apiName.map { "\($0) (qemu \(rawValue))" } ?? "qemu procedure \(rawValue)" }
}

/// The typed signature of one procedure of the QEMU program.
///
/// libvirt: one `QEMU_PROC_*` with its `qemu_*_args` / `qemu_*_ret`
/// (src/remote/qemu_protocol.x).
public protocol QemuCall: ProgramCall {
    static var procedure: QemuProcedure { get }
}

/// The procedures of the QEMU program this project serves.
public enum QemuCalls {
    /// `QEMU_PROC_DOMAIN_MONITOR_COMMAND` (`virDomainQemuMonitorCommand`).
    public enum DomainMonitorCommand: QemuCall {
        public typealias Args = QemuDomainMonitorCommandArgs; public typealias Ret = StringValue
        public static let procedure = QemuProcedure.domainMonitorCommand
    }
}

/// libvirt: `qemu_domain_monitor_command_args` (`remote_nonnull_domain dom;
/// remote_nonnull_string cmd; unsigned int flags;`); its `_ret` is one
/// `remote_nonnull_string result` (`StringValue`).
public struct QemuDomainMonitorCommandArgs: XDRCodable, Hashable {
    public var dom: RemoteDomain
    public var cmd: String
    /// `VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP` (1) or 0.
    public var flags: UInt32

    public init(dom: RemoteDomain, cmd: String, flags: UInt32 = 0) {
        self.dom = dom
        self.cmd = cmd
        self.flags = flags
    }

    public init(from d: inout XDRDecoder) throws(RemoteError) {
        dom = try d.decode()
        cmd = try d.string()
        flags = try d.uint32()
    }

    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.encode(dom)
        try e.string(cmd)
        e.uint32(flags)
    }
}
