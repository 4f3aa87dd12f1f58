import libvirt_abi
import qemu_driver
import remote

/// Turns one call of the QEMU program (the API of libvirt-qemu.so:
/// `virDomainQemuMonitorCommand` and friends) into a driver call and its
/// reply payload. The daemon serves it beside the remote program on the
/// same connection, as libvirtd registers both (`qemuProgram` next to
/// `remoteProgram`). Procedures the driver lacks get libvirt's "not
/// supported" error with the API's name; numbers outside the program get
/// "unknown procedure".
///
/// libvirt: the `qemuDispatch*` functions of
/// src/remote/remote_daemon_dispatch.c, `virNetServerProgramDispatchCall`.
enum QemuDispatcher {
    /// `VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP`.
    static let monitorCommandHMP: UInt32 = 1

    static func dispatch(_ msg: RemoteMessage, client: DaemonClient) async throws(RemoteError) -> [UInt8] {
        let p = QemuProcedure(rawValue: msg.header.procedure)
        guard let api = p.apiName else {
            throw RemoteError.rpc("unknown procedure: \(p.rawValue)")
        }
        // libvirt: remoteGetHypervisorConn ("connection not open").
        let conn = try client.connection()
        switch p {
        case .domainMonitorCommand:
            return try await RemoteDispatcher.run(QemuCalls.DomainMonitorCommand.self, msg) { a throws(RemoteError) in
                // The checks of virDomainQemuMonitorCommand (libvirt-qemu.c),
                // then of the driver's qemuDomainQemuMonitorCommandWithFiles.
                try RemoteDispatcher.checkWritable(client, api)
                try RemoteDispatcher.checkFlags(a.flags, allowed: monitorCommandHMP, "qemuDomainQemuMonitorCommandWithFiles")
                let dom = RemoteDispatcher.ref(a.dom)
                let result = try await RemoteDispatcher.driver { () async throws -> String in
                    try await conn.qemuMonitorCommand(dom, command: a.cmd, hmp: a.flags & monitorCommandHMP != 0)
                }
                return StringValue(result)
            }
        default:
            // libvirt: virReportUnsupportedError in libvirt-qemu.c (VIR_FROM_DOMAIN).
            throw RemoteError(.noSupport, api, domain: .domain)
        }
    }
}
