import Foundation
import Synchronization

/// A client of libvirt's remote protocol over a UNIX socket: typed calls
/// matched to their replies by serial (several threads may call at once),
/// keepalive PINGs answered, events handed to a callback. Blocking; for
/// tests, benchmarks and tools.
///
/// libvirt: `virNetClient` (src/rpc/virnetclient.c) with the call side of
/// src/remote/remote_driver.c.
public final class RemoteClient: Sendable {
    private let stream: UnixStream
    private let writeLock = Mutex(())

    private final class Pending: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var reply: Result<RemoteMessage, RemoteError>?
    }

    private struct State {
        var nextSerial: UInt32 = 1
        var pending: [UInt32: Pending] = [:]
        var closed: RemoteError?
    }
    private let state = Mutex(State())
    private let eventHandler: (@Sendable (RemoteMessage) -> Void)?

    /// Connects; `onEvent` receives every `VIR_NET_MESSAGE` of the remote
    /// program (events), on the client's reader thread.
    public init(socketPath: String, onEvent: (@Sendable (RemoteMessage) -> Void)? = nil) throws(RemoteError) {
        stream = try UnixStream.connect(path: socketPath)
        eventHandler = onEvent
        let t = Thread { [self] in self.readLoop() }
        t.name = "remote-client-reader"
        t.start()
    }

    deinit { stream.shutdown() }

    /// The handshake libvirt's remote driver does: auth list, keepalive
    /// feature check, open.
    ///
    /// libvirt: `doRemoteOpen` (src/remote/remote_driver.c).
    public func open(uri: String? = "qemu:///system", flags: UInt32 = 0) throws(RemoteError) {
        _ = try call(RemoteCalls.AuthList.self, XDRVoid())
        _ = try call(RemoteCalls.ConnectSupportsFeature.self, IntValue(10))
        _ = try call(RemoteCalls.ConnectOpen.self, ConnectOpenArgs(name: uri, flags: flags))
    }

    /// Calls a procedure and waits for its reply; a server error comes
    /// back as a `RemoteError` with the server's code, domain and message.
    @discardableResult
    public func call<C: RemoteCall>(_: C.Type, _ args: C.Args, timeout: Duration = .seconds(600)) throws(RemoteError) -> C.Ret {
        let reply = try callRaw(procedure: C.procedure.rawValue, payload: try args.xdrBytes(), timeout: timeout)
        return try reply.decode(C.Ret.self)
    }

    /// Calls a procedure of the QEMU program (libvirt-qemu.so's API).
    @discardableResult
    public func call<C: QemuCall>(_: C.Type, _ args: C.Args, timeout: Duration = .seconds(600)) throws(RemoteError) -> C.Ret {
        let reply = try callRaw(procedure: C.procedure.rawValue, payload: try args.xdrBytes(), program: RemoteProgram.qemu,
                                version: RemoteProgram.qemuVersion, timeout: timeout)
        return try reply.decode(C.Ret.self)
    }

    /// Sends a call with any payload and returns the reply; a reply with
    /// status `VIR_NET_ERROR` throws the decoded error.
    public func callRaw(procedure: Int32, payload: [UInt8], program: UInt32 = RemoteProgram.remote,
                        version: UInt32 = RemoteProgram.remoteVersion,
                        timeout: Duration = .seconds(600)) throws(RemoteError) -> RemoteMessage {
        let p = Pending()
        let serial = try state.withLock { s throws(RemoteError) -> UInt32 in
            if let e = s.closed { throw e }
            let serial = s.nextSerial
            s.nextSerial &+= 1
            s.pending[serial] = p
            return serial
        }
        let msg = RemoteMessage(header: MessageHeader(program: program, version: version, procedure: procedure,
                                                      type: .call, serial: serial), payload: payload)
        do {
            try send(msg)
        } catch {
            _ = state.withLock { $0.pending.removeValue(forKey: serial) }
            throw error
        }
        let ms = Int(timeout.components.seconds * 1000) + Int(timeout.components.attoseconds / 1_000_000_000_000_000)
        if p.done.wait(timeout: .now() + .milliseconds(ms)) == .timedOut {
            _ = state.withLock { $0.pending.removeValue(forKey: serial) }
            let name = program == RemoteProgram.qemu ? "\(QemuProcedure(rawValue: procedure))" : "\(RemoteProcedure(rawValue: procedure))"
            throw RemoteError(.operationTimeout, "no reply to \(name) within \(timeout)")
        }
        switch p.reply {
        case .success(let reply)?:
            if reply.header.status == .error {
                throw RemoteError(try reply.decode(RemoteWireError.self))
            }
            return reply
        case .failure(let e)?:
            throw e
        case nil:
            throw RemoteError(.internalError, "no reply")
        }
    }

    /// Sends one message as it is.
    public func send(_ msg: RemoteMessage) throws(RemoteError) {
        let bytes = try msg.framed()
        try writeLock.withLock { _ throws(RemoteError) in try stream.write(bytes) }
    }

    /// Sends raw bytes (for tests of malformed input).
    public func sendRaw(_ bytes: [UInt8]) throws(RemoteError) {
        try writeLock.withLock { _ throws(RemoteError) in try stream.write(bytes) }
    }

    /// Whether the server closed the connection (or it failed).
    public var isClosed: Bool { state.withLock { $0.closed != nil } }

    /// Closes the socket without `CONNECT_CLOSE` (as a killed client does).
    public func disconnect() {
        stream.shutdown()
    }

    /// `CONNECT_CLOSE`, then the socket.
    public func close() {
        // Closing: a server that does not answer is closed on all the same.
        _ = try? call(RemoteCalls.ConnectClose.self, XDRVoid(), timeout: .seconds(10))
        stream.shutdown()
    }

    private func readLoop() {
        var failure = RemoteError(.systemError, "End of file while reading data: Input/output error")
        while true {
            let msg: RemoteMessage
            do {
                guard let m = try stream.readMessage() else { break }
                msg = m
            } catch {
                failure = error
                break
            }
            if msg.header.program == RemoteProgram.keepalive {
                if msg.header.procedure == KeepaliveProcedure.ping.rawValue {
                    // A pong that cannot go out: the reader sees the connection end.
                    try? send(KeepaliveProcedure.pong.message)
                }
                continue
            }
            if msg.header.type == .message {
                eventHandler?(msg)
                continue
            }
            let p = state.withLock { $0.pending.removeValue(forKey: msg.header.serial) }
            if let p {
                p.reply = .success(msg)
                p.done.signal()
            }
        }
        let waiting = state.withLock { s -> [Pending] in
            s.closed = failure
            defer { s.pending = [:] }
            return Array(s.pending.values)
        }
        for p in waiting {
            p.reply = .failure(failure)
            p.done.signal()
        }
        stream.close()
    }
}
