import Foundation
import libvirt_abi
import qemu_driver
import remote

/// The five phases of migration protocol v3 with typed parameters. A
/// local migration is two client connections to this daemon (source and
/// destination); peer-to-peer Perform with a `dconnuri` that reaches this
/// daemon runs the whole protocol over a second connection of its own.
extension RemoteDispatcher {
    static func dispatchMigration(_ p: RemoteProcedure, _ msg: RemoteMessage, client: DaemonClient,
                                  conn: QemuConnection) async throws(RemoteError) -> [UInt8]? {
        switch p {
        case .domainMigrateBegin3Params:
            return try await run(RemoteCalls.DomainMigrateBegin3Params.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainMigrateBegin3Params")
                let r = try await driver { try await conn.migrateBegin3(ref(a.dom), params: a.params, flags: MigrateFlags(rawValue: a.flags)) }
                return DomainMigrateBegin3ParamsRet(cookieOut: cookieBytes(r.cookie), xml: r.xml)
            }
        case .domainMigratePrepare3Params:
            return try await run(RemoteCalls.DomainMigratePrepare3Params.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainMigratePrepare3Params")
                let r = try await driver {
                    try await conn.migratePrepare3(cookie: cookieString(a.cookieIn), params: a.params, flags: MigrateFlags(rawValue: a.flags))
                }
                return DomainMigratePrepare3ParamsRet(cookieOut: cookieBytes(r.cookie), uriOut: r.uri)
            }
        case .domainMigratePerform3Params:
            return try await run(RemoteCalls.DomainMigratePerform3Params.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainMigratePerform3Params")
                let flags = MigrateFlags(rawValue: a.flags)
                if flags.contains(.peer2peer) {
                    try await peerToPeer(a, flags: flags, client: client, conn: conn)
                    return CookieRet(cookieOut: [])
                }
                let cookie = try await driver {
                    try await conn.migratePerform3(ref(a.dom), cookie: cookieString(a.cookieIn), params: a.params, flags: flags)
                }
                return CookieRet(cookieOut: cookieBytes(cookie))
            }
        case .domainMigrateFinish3Params:
            return try await run(RemoteCalls.DomainMigrateFinish3Params.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainMigrateFinish3Params")
                let dom = try await driver {
                    try await conn.migrateFinish3(params: a.params, cookie: cookieString(a.cookieIn),
                                                  flags: MigrateFlags(rawValue: a.flags), cancelled: a.cancelled != 0)
                }
                guard let dom else {
                    let name = a.params.string(MigrateParam.destName) ?? "(unknown)"
                    throw RemoteError(.operationFailed, "migration of domain \(name) did not finish on the destination", domain: .qemu)
                }
                return DomainMigrateFinish3ParamsRet(dom: wire(dom), cookieOut: [])
            }
        case .domainMigrateConfirm3Params:
            return try await run(RemoteCalls.DomainMigrateConfirm3Params.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainMigrateConfirm3Params")
                try await driver {
                    try await conn.migrateConfirm3(ref(a.dom), cookie: cookieString(a.cookieIn), flags: MigrateFlags(rawValue: a.flags),
                                                   cancelled: a.cancelled != 0)
                }
                return XDRVoid()
            }
        case .domainMigrateSetMaxDowntime:
            return try await run(RemoteCalls.DomainMigrateSetMaxDowntime.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainMigrateSetMaxDowntime")
                try await driver { try await conn.migrateSetMaxDowntime(ref(a.dom), milliseconds: a.value, flags: a.flags) }
                return XDRVoid()
            }
        case .domainMigrateGetMaxDowntime:
            return try await run(RemoteCalls.DomainMigrateGetMaxDowntime.self, msg) { a throws(RemoteError) in
                UHyperValue(try await driver { try await conn.migrateGetMaxDowntime(ref(a.dom), flags: a.flags) })
            }
        case .domainMigrateSetMaxSpeed:
            return try await run(RemoteCalls.DomainMigrateSetMaxSpeed.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainMigrateSetMaxSpeed")
                try await driver { try await conn.migrateSetMaxSpeed(ref(a.dom), bandwidth: a.value, flags: a.flags) }
                return XDRVoid()
            }
        case .domainMigrateGetMaxSpeed:
            return try await run(RemoteCalls.DomainMigrateGetMaxSpeed.self, msg) { a throws(RemoteError) in
                UHyperValue(try await driver { try await conn.migrateGetMaxSpeed(ref(a.dom), flags: a.flags) })
            }
        default:
            return nil
        }
    }

    /// Peer-to-peer: the source side opens the destination itself. When
    /// `dconnuri` reaches this daemon (its socket, or `qemu:///system`
    /// without a host), the destination is a second connection to the same
    /// driver, closed afterwards; any other host is not reachable from here.
    ///
    /// libvirt: `qemuMigrationSrcPerformPeer2Peer` (which opens `dconnuri`
    /// with `virConnectOpenAuth`).
    static func peerToPeer(_ a: DomainMigratePerform3ParamsArgs, flags: MigrateFlags, client: DaemonClient,
                           conn: QemuConnection) async throws(RemoteError) {
        guard let uri = a.dconnuri, !uri.isEmpty else {
            throw RemoteError(.invalidArg, "dconnuri must not be NULL", domain: .domain)
        }
        guard reachesThisDaemon(uri, server: client.server) else {
            throw RemoteError(.operationUnsupported,
                              "peer-to-peer migration to \(uri) is not supported; local migration stays within this daemon",
                              domain: .qemu)
        }
        let dconn = client.server.driver.connect()
        do {
            try await driver { _ = try await conn.migrate3(ref(a.dom), to: dconn, params: a.params, flags: flags) }
        } catch {
            await dconn.close()
            throw error
        }
        await dconn.close()
    }

    /// Whether a destination URI names this daemon.
    static func reachesThisDaemon(_ uri: String, server: DaemonServer) -> Bool {
        if uri == server.options.driverURI { return true }
        guard let c = URLComponents(string: uri), let scheme = c.scheme,
              scheme == "qemu" || scheme == "qemu+unix" else { return false }
        let host = c.host ?? ""
        guard host.isEmpty || host == "localhost" else { return false }
        if let socket = c.queryItems?.first(where: { $0.name == "socket" })?.value {
            return (socket as NSString).standardizingPath == (server.options.socketPath as NSString).standardizingPath
        }
        return c.path == "/system"
    }

    /// A cookie as libvirt sends it: the XML and its NUL
    /// (`qemuMigrationCookieFormat`: length is `strlen + 1`); empty stays empty.
    static func cookieBytes(_ s: String) -> [UInt8] {
        s.isEmpty ? [] : Array(s.utf8) + [0]
    }

    /// A cookie from the wire: the text up to its NUL.
    static func cookieString(_ b: [UInt8]) -> String {
        let end = b.firstIndex(of: 0) ?? b.endIndex
        return String(decoding: b[..<end], as: UTF8.self)
    }
}
