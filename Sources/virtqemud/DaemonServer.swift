import Foundation
import Logging
import Synchronization
import qemu_driver
import remote

/// The daemon: one driver, one listening socket, many clients, each served
/// on its own threads with its own driver connection.
///
/// libvirt: `virNetServer` and `virNetDaemon` (src/rpc/virnetserver.c,
/// virnetdaemon.c) with the remote program of src/remote/remote_daemon.c.
final class DaemonServer: Sendable {
    let driver: QemuDriver
    let options: DaemonOptions
    let logger: Logger
    let host: HostFacts
    private let listener: UnixListener
    private let clients = Mutex<[Int: DaemonClient]>([:])
    private let nextClientID = Atomic<Int>(1)
    /// Set on SIGTERM: clients are cut off without closing their driver
    /// connections, so that nothing is rolled back or destroyed.
    let shuttingDown = Atomic<Bool>(false)

    init(driver: QemuDriver, options: DaemonOptions, logger: Logger) throws(RemoteError) {
        self.driver = driver
        self.options = options
        self.logger = logger
        do { self.host = try HostFacts(driver: driver) } catch { throw RemoteError(error) }
        self.listener = try UnixListener(path: options.socketPath, mode: options.mode)
    }

    /// Starts the accept loop on its own thread.
    func start() {
        let t = Thread { [self] in self.acceptLoop() }
        t.name = "virtqemud-accept"
        t.start()
        logger.info("listening", metadata: ["socket": "\(options.socketPath)", "uri": "\(options.driverURI)",
                                            "mode": "\(String(options.mode, radix: 8))"])
    }

    private func acceptLoop() {
        while let stream = listener.accept() {
            if shuttingDown.load(ordering: .acquiring) {
                stream.close()
                break
            }
            let id = nextClientID.wrappingAdd(1, ordering: .relaxed).oldValue
            let client = DaemonClient(id: id, stream: stream, server: self)
            clients.withLock { $0[id] = client }
            logger.debug("client connected", metadata: ["client": "\(id)"])
            client.start()
        }
    }

    /// Called by a client once it is gone.
    func remove(_ client: DaemonClient) {
        _ = clients.withLock { $0.removeValue(forKey: client.id) }
        logger.debug("client disconnected", metadata: ["client": "\(client.id)"])
    }

    var clientCount: Int { clients.withLock { $0.count } }

    /// The console sessions open, by pty: one per device, as
    /// `virChrdevOpen` allows; `force` ends the one there.
    private let consoles = Mutex<[String: ConsoleStreamRelay]>([:])

    /// libvirt: `virChrdevOpen` ("Active console session exists for this domain").
    func claimConsole(_ relay: ConsoleStreamRelay, force: Bool) throws(RemoteError) {
        let old = consoles.withLock { c -> ConsoleStreamRelay?? in
            if let old = c[relay.path] {
                guard force else { return .none }
                c[relay.path] = relay
                return .some(old)
            }
            c[relay.path] = relay
            return .some(nil)
        }
        guard let taken = old else {
            throw RemoteError(.operationFailed, "Active console session exists for this domain", domain: .qemu)
        }
        // The session taken over ends as the pty's end would end it.
        taken?.takenOver()
    }

    func consoleEnded(_ relay: ConsoleStreamRelay) {
        consoles.withLock { c in if c[relay.path] === relay { c[relay.path] = nil } }
    }

    /// SIGTERM: stop listening, cut every client off, let go of the driver.
    /// The VMs keep running; the next daemon reconnects to them.
    ///
    /// libvirt: `virNetDaemonQuit` → `virStateShutdownPrepare`/`virStateCleanup`.
    func shutdown() {
        shuttingDown.store(true, ordering: .releasing)
        listener.close()
        let all = clients.withLock { Array($0.values) }
        for c in all { c.cutOff() }
        driver.close()
        logger.info("stopped; domains left running", metadata: ["clients": "\(all.count)"])
    }
}
