import Foundation
import domain_conf
import libvirt_abi
import qemu_driver
import remote

/// Turns one call of the remote program into a driver call and its reply
/// payload. Procedures this daemon does not serve get libvirt's answer for
/// an API the driver lacks (`VIR_ERR_NO_SUPPORT`, "this function is not
/// supported by the connection driver: virXxx"); numbers outside the
/// protocol get "unknown procedure".
///
/// libvirt: the generated `remoteDispatch*` stubs of
/// src/remote/remote_daemon_dispatch.c, `virNetServerProgramDispatchCall`.
enum RemoteDispatcher {
    static func dispatch(_ msg: RemoteMessage, client: DaemonClient) async throws(RemoteError) -> [UInt8] {
        let p = RemoteProcedure(rawValue: msg.header.procedure)
        switch p {
        // Before CONNECT_OPEN.
        case .authList: return try runSync(RemoteCalls.AuthList.self, msg) { _ in AuthListRet(types: [AuthListRet.none]) }
        case .connectSupportsFeature:
            return try await run(RemoteCalls.ConnectSupportsFeature.self, msg) { a throws(RemoteError) in
                try supportsFeature(a.value, client)
            }
        case .connectOpen:
            return try await run(RemoteCalls.ConnectOpen.self, msg) { a throws(RemoteError) in try open(a, client) }
        default:
            break
        }
        let conn = try client.connection()
        switch p {
        case .connectClose: return try runSync(RemoteCalls.ConnectClose.self, msg) { _ in XDRVoid() }
        case .connectGetType: return try runSync(RemoteCalls.ConnectGetType.self, msg) { _ in StringValue("QEMU") }
        case .connectGetVersion:
            return try runSync(RemoteCalls.ConnectGetVersion.self, msg) { _ in UHyperValue(conn.hypervisorVersion()) }
        case .connectGetLibVersion:
            return try runSync(RemoteCalls.ConnectGetLibVersion.self, msg) { _ in UHyperValue(QemuConnection.libVersion) }
        case .connectGetHostname: return try runSync(RemoteCalls.ConnectGetHostname.self, msg) { _ in StringValue(conn.hostname) }
        case .connectGetURI: return try runSync(RemoteCalls.ConnectGetURI.self, msg) { _ in StringValue(reportedURI) }
        case .connectGetSysinfo:
            return try await run(RemoteCalls.ConnectGetSysinfo.self, msg) { a throws(RemoteError) in
                StringValue(try await driver { try conn.sysinfo(flags: a.value) })
            }
        case .connectGetCapabilities:
            return try await run(RemoteCalls.ConnectGetCapabilities.self, msg) { _ throws(RemoteError) in
                StringValue(try await driver { try conn.capabilities() })
            }
        case .connectGetDomainCapabilities:
            return try await run(RemoteCalls.ConnectGetDomainCapabilities.self, msg) { a throws(RemoteError) in
                StringValue(try await driver {
                    try conn.domainCapabilities(emulatorBin: a.emulatorBin, arch: a.arch, machine: a.machine,
                                                virtType: a.virtType, flags: a.flags)
                })
            }
        case .connectGetMaxVcpus:
            return try await run(RemoteCalls.ConnectGetMaxVcpus.self, msg) { a throws(RemoteError) in
                IntValue(try await driver { try conn.maxVcpus(type: a.value) })
            }
        case .connectDomainXMLToNative:
            return try await run(RemoteCalls.ConnectDomainXMLToNative.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virConnectDomainXMLToNative")
                return StringValue(try await driver {
                    try conn.domainXMLToNative(format: a.nativeFormat, xml: a.domainXML, flags: a.flags)
                })
            }
        case .connectIsSecure: return try runSync(RemoteCalls.ConnectIsSecure.self, msg) { _ in IntValue(1) }
        case .nodeGetInfo: return try runSync(RemoteCalls.NodeGetInfo.self, msg) { _ in client.server.host.nodeInfo }
        case .nodeGetFreeMemory:
            return try runSync(RemoteCalls.NodeGetFreeMemory.self, msg) { _ in UHyperValue(conn.freeMemory()) }
        case .nodeGetCellsFreeMemory:
            return try await run(RemoteCalls.NodeGetCellsFreeMemory.self, msg) { a throws(RemoteError) in
                guard a.maxCells <= Int32(RemoteProtocolLimits.nodeMaxCells) else {
                    throw RemoteError(.rpc, "maxcells > REMOTE_NODE_MAX_CELLS")
                }
                return NodeGetCellsFreeMemoryRet(try await driver {
                    try conn.cellsFreeMemory(start: Int(a.startCell), maxCells: Int(a.maxCells))
                })
            }
        case .nodeGetSecurityModel:
            return try runSync(RemoteCalls.NodeGetSecurityModel.self, msg) { _ in NodeGetSecurityModelRet(model: "none", doi: "0") }
        case .connectRegisterCloseCallback, .connectUnregisterCloseCallback:
            return try runSync(RemoteCalls.ConnectRegisterCloseCallback.self, msg) { _ in XDRVoid() }
        case .connectDomainEventCallbackRegisterAny:
            return try runSync(RemoteCalls.ConnectDomainEventCallbackRegisterAny.self, msg) { a throws(RemoteError) in
                try registerEvent(a, client, conn)
            }
        case .connectDomainEventCallbackDeregisterAny:
            return try runSync(RemoteCalls.ConnectDomainEventCallbackDeregisterAny.self, msg) { a throws(RemoteError) in
                try deregisterEvent(a.value, client, conn)
            }
        default:
            if let payload = try await dispatchDomain(p, msg, client: client, conn: conn) { return payload }
            if let payload = try await dispatchMigration(p, msg, client: client, conn: conn) { return payload }
            throw unsupported(p)
        }
    }

    /// What `virConnectGetURI` reports: the URI libvirtd reports for the
    /// system QEMU driver, which a `qemu+unix:///system?socket=PATH`
    /// client expects.
    static let reportedURI = "qemu:///system"

    /// libvirt's answer for a procedure the driver lacks, or for a number
    /// outside the protocol.
    ///
    /// libvirt: `virReportUnsupportedError` (from `VIR_FROM_DOMAIN` /
    /// `VIR_FROM_NONE` in the public API), "unknown procedure: %d"
    /// (`virNetServerProgramDispatchCall`).
    static func unsupported(_ p: RemoteProcedure) -> RemoteError {
        guard let api = p.apiName else { return RemoteError.rpc("unknown procedure: \(p.rawValue)") }
        let domain: ErrorDomain = api.hasPrefix("virDomain") ? .domain : .none
        return RemoteError(.noSupport, api, domain: domain)
    }

    // MARK: helpers

    /// Decodes the args, runs `body`, encodes the return. A payload that
    /// does not decode is libvirt's "Unable to decode message payload".
    static func run<C: ProgramCall>(_: C.Type, _ msg: RemoteMessage,
                                   _ body: (C.Args) async throws(RemoteError) -> C.Ret) async throws(RemoteError) -> [UInt8] {
        let args: C.Args
        do {
            args = try msg.decode(C.Args.self)
        } catch {
            throw error.code == .rpc ? RemoteError.undecodablePayload : error
        }
        let ret = try await body(args)
        return try ret.xdrBytes()
    }

    /// The synchronous form of `run`.
    static func runSync<C: ProgramCall>(_: C.Type, _ msg: RemoteMessage,
                                   _ body: (C.Args) throws(RemoteError) -> C.Ret) throws(RemoteError) -> [UInt8] {
        let args: C.Args
        do {
            args = try msg.decode(C.Args.self)
        } catch {
            throw error.code == .rpc ? RemoteError.undecodablePayload : error
        }
        return try body(args).xdrBytes()
    }

    /// Runs a driver call; its error goes to the client as it is.
    static func driver<T>(_ body: () async throws -> T) async throws(RemoteError) -> T {
        do {
            return try await body()
        } catch let e as any LibvirtError {
            throw RemoteError(e)
        } catch {
            throw RemoteError(.internalError, "\(error)", domain: .qemu)
        }
    }

    /// libvirt: `virCheckFlags` ("unsupported flags (0x%x) in function %s").
    static func checkFlags(_ flags: UInt32, allowed: UInt32, _ function: String) throws(RemoteError) {
        let bad = flags & ~allowed
        guard bad == 0 else {
            throw RemoteError(VirError.unsupportedFlags(bad, in: function))
        }
    }

    /// libvirt: `virCheckReadOnlyGoto` ("read only access prevents %s").
    static func checkWritable(_ client: DaemonClient, _ api: String) throws(RemoteError) {
        if client.state.withLock({ $0.readOnly }) {
            throw RemoteError(.operationDenied, "read only access prevents \(api)", domain: .domain)
        }
    }

    /// The driver's reference for a domain from the wire.
    static func ref(_ d: RemoteDomain) -> DomainRef {
        DomainRef(name: d.name, uuid: d.uuid, id: d.id >= 0 ? Int(d.id) : nil)
    }

    /// The wire form of the driver's reference.
    static func wire(_ d: DomainRef) -> RemoteDomain {
        RemoteDomain(name: d.name, uuid: d.uuid, id: d.id.map { Int32(clamping: $0) } ?? -1)
    }
}
