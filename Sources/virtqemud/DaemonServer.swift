import Foundation
import Logging
import Synchronization
import qemu_driver
import remote

/// The daemon: one driver, a read-write and a read-only socket, many
/// clients, each served on its own threads with its own driver connection,
/// within libvirt's limits (`max_clients`, `max_anonymous_clients`,
/// `max_workers`...).
///
/// libvirt: `virNetServer` and `virNetDaemon` (src/rpc/virnetserver.c,
/// virnetdaemon.c) with the remote program of src/remote/remote_daemon.c.
final class DaemonServer: Sendable {
    let driver: QemuDriver
    let options: DaemonOptions
    let logger: Logger
    let host: HostFacts
    private let listeners: [UnixListener]
    private let clients = Mutex<[Int: DaemonClient]>([:])
    private let nextClientID = Atomic<Int>(1)
    /// Clients served, and those of them that have not opened the driver
    /// yet: the accept loops wait while either is at its limit.
    fileprivate struct Admission { var clients = 0, anonymous = 0 }
    private let admission = Admission.Gate()
    /// The calls run at once, for all clients.
    let workers: WorkerPool
    /// Set on SIGTERM: clients are cut off without closing their driver
    /// connections, so that nothing is rolled back or destroyed.
    let shuttingDown = Atomic<Bool>(false)

    init(driver: QemuDriver, options: DaemonOptions, logger: Logger) throws(RemoteError) {
        self.driver = driver
        self.options = options
        self.logger = logger
        do { self.host = try HostFacts(driver: driver) } catch { throw RemoteError(error) }
        let config = options.config
        self.workers = WorkerPool(maxWorkers: config.maxWorkers, prioWorkers: config.prioWorkers)
        let group: gid_t?
        do { group = try config.socketGroup() } catch { throw RemoteError(error) }
        let rw = try UnixListener(path: options.socketPath, mode: config.unixSockRWPerms, group: group,
                                  readOnly: false, backlog: config.maxQueuedClients)
        do {
            let ro = try UnixListener(path: options.readOnlySocketPath, mode: config.unixSockROPerms, group: group,
                                      readOnly: true, backlog: config.maxQueuedClients)
            self.listeners = [rw, ro]
        } catch {
            rw.close()
            throw error
        }
    }

    /// Starts an accept loop per socket, each on its own thread.
    func start() {
        for l in listeners {
            let t = Thread { [self] in self.acceptLoop(l) }
            t.name = l.readOnly ? "virtqemud-accept-ro" : "virtqemud-accept"
            t.start()
        }
        let c = options.config
        logger.info("listening", metadata: ["socket": "\(options.socketPath)", "ro-socket": "\(options.readOnlySocketPath)",
                                            "uri": "\(options.driverURI)",
                                            "mode": "\(String(c.unixSockRWPerms, radix: 8))",
                                            "ro-mode": "\(String(c.unixSockROPerms, radix: 8))",
                                            "group": "\(c.unixSockGroup ?? "(daemon's)")",
                                            "config": "\(options.configPath ?? "(defaults)")"])
    }

    /// Accepts while the limits allow: past `max_clients` or
    /// `max_anonymous_clients`, new connections wait in the listen queue
    /// (`max_queued_clients`) until a client opens or goes.
    ///
    /// libvirt: `virNetServerCheckLimits`, `virNetServerUpdateServicesLocked`.
    private func acceptLoop(_ listener: UnixListener) {
        let c = options.config
        while true {
            admission.waitUntil { a in
                shuttingDown.load(ordering: .acquiring)
                    || (a.clients < c.maxClients && (c.maxAnonymousClients == 0 || a.anonymous < c.maxAnonymousClients))
            }
            guard let (stream, peer) = listener.accept() else { break }
            if shuttingDown.load(ordering: .acquiring) {
                stream.close()
                break
            }
            guard let peer else {
                logger.warning("refusing a client whose credentials cannot be read", metadata: ["socket": "\(listener.path)"])
                stream.close()
                continue
            }
            admission.update { $0.clients += 1; $0.anonymous += 1 }
            let id = nextClientID.wrappingAdd(1, ordering: .relaxed).oldValue
            let client = DaemonClient(id: id, stream: stream, server: self, readOnlySocket: listener.readOnly, peer: peer)
            clients.withLock { $0[id] = client }
            logger.debug("client connected", metadata: ["client": "\(id)", "pid": "\(peer.pid)", "uid": "\(peer.uid)",
                                                        "gid": "\(peer.gid)", "readonly-socket": "\(listener.readOnly)"])
            client.start()
        }
    }

    /// A client opened the driver: it no longer counts as anonymous.
    func clientOpened() {
        admission.update { $0.anonymous -= 1 }
    }

    /// Called by a client once it is gone.
    func remove(_ client: DaemonClient) {
        _ = clients.withLock { $0.removeValue(forKey: client.id) }
        let opened = client.hasOpened
        admission.update { a in
            a.clients -= 1
            if !opened { a.anonymous -= 1 }
        }
        logger.debug("client disconnected", metadata: ["client": "\(client.id)"])
    }

    /// Clients served, and those not opened yet (for the tests).
    var admitted: (clients: Int, anonymous: Int) {
        let a = admission.value
        return (a.clients, a.anonymous)
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
        for l in listeners { l.close() }
        admission.update { _ in }  // wake the accept loops: their accept() now fails
        let all = clients.withLock { Array($0.values) }
        for c in all { c.cutOff() }
        driver.close()
        logger.info("stopped; domains left running", metadata: ["clients": "\(all.count)"])
    }
}

extension DaemonServer.Admission {
    /// The counts behind a lock, with a condition to wait on.
    final class Gate: @unchecked Sendable {
        private let condition = NSCondition()
        private var counts = DaemonServer.Admission()

        func waitUntil(_ ok: (DaemonServer.Admission) -> Bool) {
            condition.lock()
            while !ok(counts) { condition.wait() }
            condition.unlock()
        }

        func update(_ change: (inout DaemonServer.Admission) -> Void) {
            condition.lock()
            change(&counts)
            condition.broadcast()
            condition.unlock()
        }

        var value: DaemonServer.Admission {
            condition.lock()
            defer { condition.unlock() }
            return counts
        }
    }
}
