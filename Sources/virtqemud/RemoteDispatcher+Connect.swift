import Foundation
import libvirt_abi
import qemu_driver
import remote

/// The connection procedures: open, feature checks.
extension RemoteDispatcher {
    /// `virDrvFeature` numbers (src/libvirt_internal.h).
    enum Feature {
        static let migrationV1: Int32 = 1
        static let remote: Int32 = 2
        static let migrationV2: Int32 = 3
        static let migrationP2P: Int32 = 4
        static let migrationDirect: Int32 = 5
        static let migrationV3: Int32 = 6
        static let migrateChangeProtection: Int32 = 7
        static let fdPassing: Int32 = 8
        static let typedParamString: Int32 = 9
        static let programKeepalive: Int32 = 10
        static let xmlMigratable: Int32 = 11
        static let migrationOffline: Int32 = 12
        static let migrationParams: Int32 = 13
        static let remoteEventCallback: Int32 = 14
        static let remoteCloseCallback: Int32 = 15
        static let networkUpdateHasCorrectOrder: Int32 = 16
    }

    /// What the daemon and its QEMU driver support. File descriptor
    /// passing is not offered (this daemon takes no descriptors).
    ///
    /// libvirt: `remoteDispatchConnectSupportsFeature`,
    /// `qemuConnectSupportsFeature`, `virDriverFeatureIsGlobal`.
    static func supportsFeature(_ f: Int32, _ client: DaemonClient) throws(RemoteError) -> IntValue {
        if f == Feature.programKeepalive {
            // libvirt: the question starts the server's side of keepalive
            // (`virNetServerClientStartKeepAlive`).
            client.keepaliveStarted.store(true, ordering: .releasing)
            return IntValue(1)
        }
        _ = try client.connection()
        switch f {
        case Feature.remoteEventCallback, Feature.remoteCloseCallback, Feature.typedParamString,
             Feature.networkUpdateHasCorrectOrder, Feature.remote:
            return IntValue(1)
        case Feature.migrationV2, Feature.migrationV3, Feature.migrationP2P, Feature.migrateChangeProtection,
             Feature.xmlMigratable, Feature.migrationOffline, Feature.migrationParams:
            return IntValue(1)
        default:
            return IntValue(0)
        }
    }

    /// `VIR_CONNECT_RO`.
    static let connectReadOnly: UInt32 = 1
    /// `VIR_CONNECT_NO_ALIASES`.
    static let connectNoAliases: UInt32 = 2

    /// Opens the client's driver connection. The daemon serves one QEMU
    /// driver: `qemu:///system` (or its own embedded root's URI, or no URI
    /// at all) reaches it; anything else has no driver here. A client of
    /// the read-only socket gets a read-only connection, whatever it asked.
    ///
    /// libvirt: `remoteDispatchConnectOpen` (which adds `VIR_CONNECT_RO`
    /// for a read-only client) → `virConnectOpenAuth`.
    static func open(_ a: ConnectOpenArgs, _ client: DaemonClient) throws(RemoteError) -> XDRVoid {
        try checkFlags(a.flags, allowed: connectReadOnly | connectNoAliases, "remoteDispatchConnectOpen")
        let server = client.server
        if let name = a.name, !name.isEmpty, !accepts(uri: name, server: server) {
            throw RemoteError(.noConnect, name, domain: .none)
        }
        let readOnly = client.readOnlySocket || a.flags & connectReadOnly != 0
        let conn = server.driver.connect()
        let opened = client.state.withLock { s -> Bool in
            guard s.conn == nil, !s.gone else { return false }
            s.conn = conn
            s.readOnly = readOnly
            return true
        }
        guard opened else { throw RemoteError(.internalError, "connection already open") }
        client.markOpened()
        server.logger.debug("connection opened", metadata: ["client": "\(client.id)", "uri": "\(a.name ?? "(default)")",
                                                            "readonly": "\(readOnly)", "uid": "\(client.peer.uid)"])
        return XDRVoid()
    }

    /// Whether `uri` names the driver this daemon serves.
    static func accepts(uri: String, server: DaemonServer) -> Bool {
        if uri == server.options.driverURI || uri == reportedURI || uri == "qemu:///system/" { return true }
        guard let c = URLComponents(string: uri), c.scheme == "qemu" else { return false }
        let host = c.host ?? ""
        return (host.isEmpty || host == "localhost") && c.path == "/system"
    }
}
