import Foundation
import Logging
import Synchronization
import domain_conf
import libvirt_abi
import qemu_driver
import remote
import virutil

/// One client of the daemon: a reader thread that frames and checks what
/// comes in and keeps the client's deadlines (the handshake, a message
/// left half sent, keepalive), a writer thread that sends what goes out,
/// calls run as tasks (at most `max_client_requests` at once, each on one
/// of the server's workers), one driver connection opened by
/// `CONNECT_OPEN` (read-only whatever it asks for when the client came in
/// on the read-only socket) and closed when the client goes, and the
/// client's event callbacks.
///
/// libvirt: `virNetServerClient` (src/rpc/virnetserverclient.c) and the
/// client private data of src/remote/remote_daemon_dispatch.c.
final class DaemonClient: Sendable {
    let id: Int
    let stream: UnixStream
    let server: DaemonServer
    let outbox = Outbox()
    var logger: Logger { server.logger }
    /// Whether the client came in on the read-only socket.
    let readOnlySocket: Bool
    /// Who the client is (`SO_PEERCRED`, read on accept).
    let peer: VirSocket.PeerCredentials

    /// Calls served at once (`max_client_requests`); the reader waits for
    /// a free slot.
    private let slots: DispatchSemaphore
    /// Set once the client asked whether the daemon does keepalive: from
    /// then on it is pinged when it falls silent (libvirt starts keepalive
    /// on that question too).
    let keepaliveStarted = Atomic<Bool>(false)
    /// Set once `CONNECT_OPEN` succeeded.
    private let opened = Atomic<Bool>(false)
    /// The most event callbacks one client may hold: registrations past it
    /// are refused, so that a flood of them cannot grow the daemon.
    static let maxEventCallbacks = 1024
    private let inflight = DispatchGroup()
    private let writerDone = DispatchSemaphore(value: 0)

    /// A registered event callback: the driver's id for lifecycle
    /// callbacks, nil for event ids this driver never emits.
    struct EventCallback: Sendable {
        let eventID: Int32
        let driverID: Int?
    }

    struct State: Sendable {
        var conn: QemuConnection?
        var readOnly = false
        var nextCallbackID: Int32 = 1
        var callbacks: [Int32: EventCallback] = [:]
        /// Streams (consoles, downloads), by the serial of the call that opened them;
        /// `started` once the call's reply went.
        var streams: [UInt32: (relay: any DaemonStream, started: Bool)] = [:]
        var gone = false
    }
    let state = Mutex(State())

    init(id: Int, stream: UnixStream, server: DaemonServer, readOnlySocket: Bool, peer: VirSocket.PeerCredentials) {
        self.id = id
        self.stream = stream
        self.server = server
        self.readOnlySocket = readOnlySocket
        self.peer = peer
        self.slots = DispatchSemaphore(value: server.options.config.maxClientRequests)
    }

    /// Whether `CONNECT_OPEN` succeeded.
    var hasOpened: Bool { opened.load(ordering: .acquiring) }

    /// `CONNECT_OPEN` succeeded: the client is no longer anonymous.
    func markOpened() {
        if !opened.exchange(true, ordering: .acquiringAndReleasing) { server.clientOpened() }
    }

    func start() {
        stream.setSendTimeout(seconds: 30)
        let writer = Thread { [self] in self.writeLoop() }
        writer.name = "virtqemud-client-\(id)-tx"
        writer.start()
        let reader = Thread { [self] in self.readLoop() }
        reader.name = "virtqemud-client-\(id)-rx"
        reader.start()
    }

    /// The driver connection, once `CONNECT_OPEN` succeeded.
    ///
    /// libvirt: `remoteGetHypervisorConn` ("connection not open").
    func connection() throws(RemoteError) -> QemuConnection {
        guard let c = state.withLock({ $0.conn }) else {
            throw RemoteError(.internalError, "connection not open")
        }
        return c
    }

    // MARK: reading

    private func readLoop() {
        let reader = ClientReader(fd: stream.fd)
        var deadlines = ClientDeadlines(config: server.options.config)
        while true {
            do {
                switch try reader.next(within: deadlines.wait(partial: reader.isPartial, lastByte: reader.lastByte,
                                                              opened: hasOpened, keepalive: keepaliveStarted.load(ordering: .acquiring))) {
                case .message(let msg):
                    deadlines.received()
                    handle(msg)
                    continue
                case .closed:
                    break
                case .timedOut:
                    switch deadlines.expired(partial: reader.isPartial, lastByte: reader.lastByte, opened: hasOpened,
                                             keepalive: keepaliveStarted.load(ordering: .acquiring)) {
                    case .none:
                        continue
                    case .ping:
                        send(KeepaliveProcedure.ping.message)
                        continue
                    case .drop(let why):
                        logger.warning("dropping client: \(why)", metadata: ["client": "\(id)", "pid": "\(peer.pid)", "uid": "\(peer.uid)"])
                    }
                }
            } catch {
                if !server.shuttingDown.load(ordering: .acquiring) {
                    logger.warning("dropping client: \(error.message)", metadata: ["client": "\(id)"])
                }
            }
            break
        }
        finish()
    }

    /// Routes one message: keepalive, a call of the remote program or of
    /// the QEMU program, or something to refuse.
    ///
    /// libvirt: `virNetServerProcessMsg` (which finds the program with
    /// `virNetServerProgramMatches`), `virNetServerProgramDispatch`.
    private func handle(_ msg: RemoteMessage) {
        let h = msg.header
        if h.program == RemoteProgram.keepalive && h.version == RemoteProgram.keepaliveVersion && h.type == .message {
            if h.procedure == KeepaliveProcedure.ping.rawValue {
                send(KeepaliveProcedure.pong.message)
            }
            return
        }
        guard (h.program == RemoteProgram.remote && h.version == RemoteProgram.remoteVersion)
                || (h.program == RemoteProgram.qemu && h.version == RemoteProgram.qemuVersion) else {
            if h.type == .call || h.type == .callWithFDs {
                reply(to: h, error: RemoteError.rpc("Cannot find program \(Int32(bitPattern: h.program)) version \(Int32(bitPattern: h.version))"))
            }
            return
        }
        if h.type == .callWithFDs {
            // No procedure of this daemon takes descriptors, and it never
            // offers VIR_DRV_FEATURE_FD_PASSING: any that came were closed
            // by the kernel, unread (the reader takes no SCM_RIGHTS).
            reply(to: h, error: RemoteError.rpc("file descriptor passing is not supported by this daemon (procedure \(h.procedure))"))
            return
        }
        if h.type == .stream && h.program == RemoteProgram.remote {
            handleStream(msg)
            return
        }
        guard h.type == .call else {
            logger.debug("ignoring message of type \(h.type)", metadata: ["client": "\(id)"])
            return
        }
        guard h.status == .ok else {
            reply(to: h, error: RemoteError.rpc("Unexpected message status \(h.status.rawValue)"))
            return
        }
        slots.wait()
        let worker = server.workers.acquire(highPriority: h.program == RemoteProgram.remote
                                            && RemoteProcedurePriority.isHigh(h.procedure))
        inflight.enter()
        Task { [self] in
            defer {
                inflight.leave()
                server.workers.release(worker)
                slots.signal()
            }
            await dispatch(msg)
        }
    }

    private func dispatch(_ msg: RemoteMessage) async {
        let isQemu = msg.header.program == RemoteProgram.qemu
        let proc = isQemu ? "\(QemuProcedure(rawValue: msg.header.procedure))" : "\(RemoteProcedure(rawValue: msg.header.procedure))"
        let started = ContinuousClock.now
        do {
            let payload = isQemu ? try await QemuDispatcher.dispatch(msg, client: self)
                                 : try await RemoteDispatcher.dispatch(msg, client: self)
            send(RemoteMessage(header: msg.header.reply(), payload: payload))
            startStream(msg.header.serial)
            if server.options.verbose {
                logger.info("\(proc)", metadata: ["client": "\(id)", "serial": "\(msg.header.serial)",
                                                  "took": "\(ContinuousClock.now - started)"])
            }
        } catch {
            reply(to: msg.header, error: error)
            logger.log(level: server.options.verbose ? .info : .debug, "\(proc) failed: \(error.message)",
                       metadata: ["client": "\(id)", "serial": "\(msg.header.serial)"])
        }
    }

    // MARK: streams

    /// A stream the call with `relay.serial` opened (a console, a
    /// download); it starts once the reply is queued.
    func addStream(_ relay: any DaemonStream) {
        let kept = state.withLock { s -> Bool in
            guard !s.gone else { return false }
            s.streams[relay.serial] = (relay, false)
            return true
        }
        if !kept { relay.close() }
    }

    private func startStream(_ serial: UInt32) {
        let relay = state.withLock { s -> (any DaemonStream)? in
            guard let entry = s.streams[serial], !entry.started else { return nil }
            s.streams[serial] = (entry.relay, true)
            return entry.relay
        }
        relay?.start()
    }

    /// Data for a stream, or its finish (`VIR_NET_OK`) or abort
    /// (`VIR_NET_ERROR`), both confirmed.
    ///
    /// libvirt: `daemonStreamFilter`, `daemonStreamHandleWrite`,
    /// `daemonStreamHandleFinish`, `daemonStreamHandleAbort`.
    private func handleStream(_ msg: RemoteMessage) {
        let h = msg.header
        guard let relay = state.withLock({ $0.streams[h.serial]?.relay }) else {
            logger.debug("stream data for no stream (serial \(h.serial))", metadata: ["client": "\(id)"])
            return
        }
        if h.status == .continue {
            relay.write(msg.payload)
            return
        }
        _ = state.withLock { $0.streams.removeValue(forKey: h.serial) }
        relay.clientEnded()
    }

    /// An error reply (status `VIR_NET_ERROR`, payload `remote_error`).
    ///
    /// libvirt: `virNetServerProgramSendReplyError`.
    func reply(to h: MessageHeader, error: RemoteError) {
        let wire = RemoteWireError(error)
        do {
            send(try RemoteMessage(header: h.reply(status: .error), body: wire))
        } catch {
            logger.error("cannot encode the error reply to procedure \(h.procedure): \(error)")
        }
    }

    /// Queues a message; a client that does not keep up is dropped.
    func send(_ m: RemoteMessage) {
        if !outbox.send(m) {
            logger.warning("dropping client: output queue full or closed", metadata: ["client": "\(id)"])
            stream.shutdown()
        }
    }

    // MARK: writing

    private func writeLoop() {
        while let frame = outbox.next() {
            do {
                try stream.write(frame)
            } catch {
                stream.shutdown()
                break
            }
        }
        outbox.close()
        // Let `finish()` close the descriptor only once nobody writes to it.
        while outbox.next() != nil {}
        writerDone.signal()
    }

    // MARK: going away

    /// The client is gone: its event callbacks go; once its calls in
    /// flight are done, its driver connection is closed, which runs the
    /// connection's close callbacks (an autodestroy domain is destroyed, a
    /// migration the client drove is rolled back).
    ///
    /// libvirt: `remoteClientCloseFunc` → `virConnectClose` → (when the
    /// last call drops its reference) `qemuConnectClose`.
    private func finish() {
        let (conn, callbacks, streams) = state.withLock { s -> (QemuConnection?, [EventCallback], [any DaemonStream]) in
            s.gone = true
            defer {
                s.callbacks = [:]
                s.streams = [:]
            }
            return (s.conn, Array(s.callbacks.values), s.streams.values.map(\.relay))
        }
        for relay in streams { relay.close() }
        if let conn {
            for cb in callbacks { if let d = cb.driverID { conn.deregisterEvents(d) } }
        }
        let shutdown = server.shuttingDown.load(ordering: .acquiring)
        inflight.notify(queue: .global()) { [self] in
            Task { [self] in
                if let conn, !shutdown, !server.shuttingDown.load(ordering: .acquiring) {
                    await conn.close()
                }
                outbox.close()
                stream.shutdown()
                DispatchQueue.global().async { [self] in
                    writerDone.wait()
                    stream.close()
                    server.remove(self)
                }
            }
        }
    }

    /// Daemon shutdown: the socket closes, the driver connection is left
    /// alone (no close callbacks run).
    func cutOff() {
        stream.shutdown()
    }
}
