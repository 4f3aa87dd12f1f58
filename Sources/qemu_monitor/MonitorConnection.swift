import Dispatch
import Glibc
import Synchronization
import virutil

/// The machinery of one QMP connection, shared by `QemuMonitor` and its
/// reader thread.
///
/// - A dedicated thread blocks in `read(2)`, splits the stream into lines,
///   routes replies to their waiting callers by `id`, and hands events to the
///   owner synchronously (callback, then stream), in arrival order.
/// - Callers register a continuation under their command's `id` before the
///   command is written, so a reply can never overtake its waiter. Writes are
///   serialized by `writer`, which also guards the descriptor's lifetime.
/// - The first failure (end of file, I/O error, protocol violation, or the
///   owner's `close()`) is kept in `failure`: every waiting and later command
///   fails with it, and the reader thread closes the descriptor and delivers
///   the final `.closed` notification.
///
/// Only the reader thread closes the descriptor (after `shutdown(2)` woke it),
/// so no thread ever reads or writes a descriptor number that was reused.
///
/// libvirt: `qemuMonitor` (src/qemu/qemu_monitor.c): `qemuMonitorIO`,
/// `qemuMonitorSend`, `qemuMonitorJSONIOProcess`, `qemuMonitorJSONIOProcessLine`.
final class MonitorConnection: Sendable {
    /// A reply (or the greeting): the object, and the line it came in,
    /// for callers that pass QEMU's text on as it is.
    struct Line: Sendable {
        let object: JSONValue
        let text: [UInt8]
    }
    typealias Reply = Result<Line, QemuMonitorError>
    typealias Handler = @Sendable (QemuMonitorNotification) -> Void

    /// libvirt's cap on an unfinished line (`QEMU_MONITOR_MAX_RESPONSE`).
    static let maxLineBytes = 10 * 1024 * 1024
    /// How many notifications the stream keeps for a slow or absent consumer
    /// (the oldest are dropped first; the final `.closed` always fits).
    static let streamBufferLimit = 4096
    /// How long `close()` waits for the reader thread to close the descriptor.
    static let closeWaitSeconds = 5.0
    /// How long one write may block when QEMU stops reading.
    static let sendTimeoutSeconds = 30

    /// The key under which `connect` waits for the greeting (not a valid QMP id of ours).
    private static let greetingKey = "<greeting>"
    /// The key of a command passed through without an id of ours: it gets
    /// the reply that matches no waiting id, as libvirt's monitor (one
    /// command at a time, no ids matched) gives it the next reply.
    private static let anonymousKey = "<anonymous>"

    private struct Pending {
        let command: String
        let continuation: CheckedContinuation<Reply, Never>
        var timer: Task<Void, Never>?
        /// Whether a command line goes (or went) to QEMU, so a late reply is expected.
        let sent: Bool
    }

    private struct State {
        var serial = 0
        var pending: [String: Pending] = [:]
        /// Ids whose callers gave up (timeout, cancellation): their late replies are dropped.
        var abandoned: Set<String> = []
        var failure: QemuMonitorError?
        var ownerClosed = false
        var greetingSeen = false
        var fdOpen = true
        var readerStarted = false
        var readerThread: pthread_t?
        var closedDelivered = false
        var handler: Handler?
    }

    let fd: Int32
    let path: String
    private let state = Mutex(State())
    /// Serializes writes; holds the descriptor, -1 once it is closed.
    private let writer: Mutex<Int32>
    /// Left once the descriptor is closed.
    private let descriptorClosed = DispatchGroup()
    let notifications: AsyncStream<QemuMonitorNotification>
    private let stream: AsyncStream<QemuMonitorNotification>.Continuation

    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        self.writer = Mutex(fd)
        (notifications, stream) = AsyncStream.makeStream(of: QemuMonitorNotification.self,
                                                         bufferingPolicy: .bufferingNewest(Self.streamBufferLimit))
        descriptorClosed.enter()
        VirSocket.setSendTimeout(fd, seconds: Self.sendTimeoutSeconds)
    }

    // MARK: - Owner API

    var failure: QemuMonitorError? { state.withLock { $0.failure } }

    /// Installs `handler`. When the final `.closed` was already delivered, the
    /// new handler gets it at once (on the caller's thread) and is not kept, so
    /// an owner that sets its handler late still learns about the end.
    func setHandler(_ handler: Handler?) {
        let lateClose = state.withLock { s -> QemuMonitorError?? in
            guard s.closedDelivered else {
                s.handler = handler
                return nil
            }
            return .some(s.ownerClosed ? nil : s.failure)
        }
        if let lateClose, let handler {
            handler(.closed(lateClose))
        }
    }

    /// Starts the reader and waits for QEMU's greeting line; returns its object.
    func awaitGreeting(timeout: Duration) async -> Reply {
        await roundTrip(key: Self.greetingKey, command: "", line: nil, timeout: timeout,
                        timeoutError: QemuMonitorError(.operationTimeout,
                                                       "no QMP greeting on monitor socket '\(path)' within \(QemuMonitorError.seconds(timeout))"))
    }

    /// Sends one command and waits for the reply with its id; returns the
    /// whole reply object (`return` or `error`).
    ///
    /// libvirt: `qemuMonitorJSONCommandWithFd`, `qemuMonitorSend`.
    func execute(_ command: String, _ arguments: [String: JSONValue]?, fd: Int32? = nil, timeout: Duration) async -> Reply {
        let id = nextID()
        var object: [String: JSONValue] = ["execute": .string(command), "id": .string(id)]
        if let arguments { object["arguments"] = .object(arguments) }
        return await send(Array(JSONValue.object(object).jsonString.utf8), id: id, command: command, fd: fd, timeout: timeout)
    }

    /// The id of the next command (libvirt: `qemuMonitorNextCommandID`).
    func nextID() -> String {
        state.withLock { s -> String in
            s.serial += 1
            return "libvirt-\(s.serial)"
        }
    }

    /// Sends a command line as the caller wrote it (no line ending) and
    /// waits for its reply: the one with `id` (an id from `nextID()` that
    /// the line carries), or without an id of ours the next reply that
    /// matches no waiting id (one such command at a time). With `fd`, the
    /// descriptor goes along with the line (`SCM_RIGHTS`).
    ///
    /// libvirt: `qemuMonitorJSONCommandWithFd`, `qemuMonitorSend`.
    func send(_ text: [UInt8], id: String?, command: String, fd: Int32? = nil, timeout: Duration) async -> Reply {
        var line = text
        line.append(contentsOf: [0x0D, 0x0A])
        return await roundTrip(key: id ?? Self.anonymousKey, command: command, line: line, fd: fd, timeout: timeout,
                               timeoutError: QemuMonitorError(.operationTimeout,
                                                              "no reply to QEMU command '\(command)' within \(QemuMonitorError.seconds(timeout))"))
    }

    /// Closes the connection: fails waiting commands with "QEMU monitor was
    /// closed" and, unless called on the reader thread itself, returns once the
    /// descriptor is closed (waiting at most `closeWaitSeconds`, for a handler
    /// call in progress).
    ///
    /// libvirt: `qemuMonitorClose`.
    func close() {
        fail(.monitorClosed, byOwner: true)
        let (started, onReader) = state.withLock { s in
            (s.readerStarted, s.readerThread.map(ReaderThread.isCurrent) ?? false)
        }
        if started && !onReader {
            // Bounded, so a handler call that is still running (and that might
            // wait for the caller) delays close() but cannot deadlock it; the
            // reader thread closes the descriptor in any case.
            _ = descriptorClosed.wait(timeout: .now() + Self.closeWaitSeconds)
        }
    }

    // MARK: - Waiting for replies

    private func roundTrip(key: String, command: String, line: [UInt8]?, fd: Int32? = nil, timeout: Duration,
                           timeoutError: QemuMonitorError) async -> Reply {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Reply, Never>) in
                let early = state.withLock { s -> QemuMonitorError? in
                    if let failure = s.failure { return failure }
                    if s.pending[key] != nil {
                        // Only the anonymous key can be taken: ids are unique.
                        return QemuMonitorError(.operationInvalid,
                                                "another monitor command without an id is waiting for its reply")
                    }
                    s.pending[key] = Pending(command: command, continuation: continuation, timer: nil, sent: line != nil)
                    return nil
                }
                if let early {
                    continuation.resume(returning: .failure(early))
                    return
                }
                let timer = Task { [weak self] in
                    do { try await Task.sleep(for: timeout) } catch { return }
                    self?.abandon(key, with: timeoutError)
                }
                let stillWaiting = state.withLock { s -> Bool in
                    guard s.pending[key] != nil else { return false }
                    s.pending[key]?.timer = timer
                    return true
                }
                guard stillWaiting else {
                    timer.cancel()
                    return
                }
                if Task.isCancelled {
                    abandon(key, with: Self.cancelled(command))
                    return
                }
                if let line {
                    write(line, key: key, fd: fd)
                } else {
                    startReader()
                }
            }
        } onCancel: {
            self.abandon(key, with: Self.cancelled(command))
        }
    }

    private static func cancelled(_ command: String) -> QemuMonitorError {
        if command.isEmpty {
            return QemuMonitorError(.operationAborted, "waiting for the QMP greeting was cancelled")
        }
        return QemuMonitorError(.operationAborted, "QEMU command '\(command)' was cancelled")
    }

    /// The caller of `key` gives up (timeout, cancellation); a reply that still
    /// comes is dropped.
    private func abandon(_ key: String, with error: QemuMonitorError) {
        let pending = state.withLock { s -> Pending? in
            guard let p = s.pending.removeValue(forKey: key) else { return nil }
            if p.sent { s.abandoned.insert(key) }
            return p
        }
        guard let pending else { return }
        pending.timer?.cancel()
        pending.continuation.resume(returning: .failure(error))
    }

    private func complete(_ key: String, with reply: Reply) -> Bool {
        let pending = state.withLock { s -> Pending? in
            if let p = s.pending.removeValue(forKey: key) { return p }
            return nil
        }
        guard let pending else { return false }
        pending.timer?.cancel()
        pending.continuation.resume(returning: reply)
        return true
    }

    // MARK: - Writing

    /// Writes the command line registered under `key`, with `passing`
    /// alongside its first byte.
    ///
    /// libvirt: `qemuMonitorIOWrite`, `qemuMonitorIOWriteWithFD`.
    private func write(_ line: [UInt8], key: String, fd passing: Int32?) {
        let outcome = writer.withLock { fd -> VirSocket.SendResult? in
            guard fd >= 0 else { return .none }
            return VirSocket.sendAll(fd, line, passing: passing)
        }
        switch outcome {
        case .none:
            // The descriptor is gone, so the failure is recorded already: this
            // hands it to every waiter, this one included.
            fail(.monitorClosed)
        case .sent?:
            return
        case .refused(let errorNumber)?:
            // Nothing went out (a descriptor that cannot be passed): only
            // this command fails, the stream is intact.
            _ = complete(key, with: .failure(.system(errorNumber, "Unable to write to monitor")))
        case .failed(let errorNumber)?:
            if errorNumber == EPIPE || errorNumber == ECONNRESET {
                // QEMU closed its end. Replies it sent before are still
                // buffered (the `quit` reply, say): the reader delivers them and
                // then reports end of file to everyone else.
                _ = complete(key, with: .failure(.endOfFile))
            } else {
                // A partial write leaves the stream unusable: the connection is over.
                fail(.system(errorNumber, "Unable to write to monitor"))
            }
        }
    }

    // MARK: - Failing

    /// Records the first failure, fails every waiting command with it, and
    /// wakes the reader thread so it closes the descriptor.
    private func fail(_ error: QemuMonitorError, byOwner: Bool = false) {
        let (failure, waiting, closeHere) = state.withLock { s -> (QemuMonitorError, [Pending], Bool) in
            if s.failure == nil {
                s.failure = error
                s.ownerClosed = byOwner
            }
            let waiting = Array(s.pending.values)
            s.pending.removeAll()
            var closeHere = false
            if s.fdOpen {
                if s.readerStarted {
                    VirSocket.shutdown(fd)
                } else {
                    // No reader will ever close it: do it here.
                    s.fdOpen = false
                    closeHere = true
                }
            }
            return (s.failure ?? error, waiting, closeHere)
        }
        for p in waiting {
            p.timer?.cancel()
            p.continuation.resume(returning: .failure(failure))
        }
        if closeHere {
            closeDescriptor()
            deliverClosed()
        }
    }

    private func closeDescriptor() {
        writer.withLock { fd in
            if fd >= 0 {
                VirSocket.close(fd)
                fd = -1
            }
        }
        descriptorClosed.leave()
    }

    // MARK: - Notifications

    private func deliver(_ notification: QemuMonitorNotification) {
        let handler = state.withLock { $0.handler }
        handler?(notification)
        stream.yield(notification)
    }

    private func deliverClosed() {
        let delivery = state.withLock { s -> (reason: QemuMonitorError?, handler: Handler?)? in
            guard !s.closedDelivered else { return nil }
            s.closedDelivered = true
            let handler = s.handler
            s.handler = nil // nothing more to say; drops any reference cycle through the handler
            return (s.ownerClosed ? nil : s.failure, handler)
        }
        guard let delivery else { return }
        delivery.handler?(.closed(delivery.reason))
        stream.yield(.closed(delivery.reason))
        stream.finish()
    }

    // MARK: - Reader thread

    private func startReader() {
        let go = state.withLock { s -> Bool in
            guard s.fdOpen, !s.readerStarted else { return false }
            s.readerStarted = true
            return true
        }
        guard go else { return }
        if !ReaderThread.start({ self.readerMain() }) {
            state.withLock { $0.readerStarted = false }
            fail(QemuMonitorError(.internalError, "Unable to create the monitor's reader thread"))
        }
    }

    /// libvirt: `qemuMonitorIO`, `qemuMonitorIORead`, `qemuMonitorIOProcess`.
    private func readerMain() {
        state.withLock { $0.readerThread = pthread_self() }
        let chunkSize = 64 * 1024
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { chunk.deallocate() }
        var buffer: [UInt8] = []
        var reason: QemuMonitorError
        while true {
            let n = VirSocket.read(fd, into: chunk)
            if n == 0 {
                reason = .endOfFile
                break
            }
            if n < 0 {
                let err = Int32(-n)
                reason = err == ECONNRESET ? .endOfFile : .system(err, "Unable to read from monitor")
                break
            }
            let scanFrom = buffer.count
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            if let error = processLines(&buffer, scanFrom: scanFrom) {
                reason = error
                break
            }
        }
        fail(reason)
        state.withLock { $0.fdOpen = false }
        closeDescriptor()
        deliverClosed()
    }

    /// Handles every complete line in `buffer` and removes it; returns the
    /// protocol error that ends the connection, if any.
    private func processLines(_ buffer: inout [UInt8], scanFrom: Int) -> QemuMonitorError? {
        var lineStart = 0
        var index = scanFrom
        while let newline = buffer[index...].firstIndex(of: 0x0A) {
            var end = newline
            if end > lineStart, buffer[end - 1] == 0x0D { end -= 1 }
            let line = Array(buffer[lineStart..<end])
            lineStart = newline + 1
            index = lineStart
            if let error = handleLine(line) { return error }
        }
        if lineStart > 0 { buffer.removeFirst(lineStart) }
        if buffer.count > Self.maxLineBytes {
            return QemuMonitorError(.internalError,
                                    "QEMU monitor reply exceeds buffer size (\(Self.maxLineBytes) bytes)")
        }
        return nil
    }

    /// libvirt: `qemuMonitorJSONIOProcessLine`.
    private func handleLine(_ bytes: [UInt8]) -> QemuMonitorError? {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil }
        func text() -> String { QemuMonitorError.quoted(String(decoding: bytes, as: UTF8.self)) }

        let object: JSONValue
        do {
            object = try JSONValue(parsing: bytes)
        } catch {
            return QemuMonitorError(.internalError, "cannot parse json \(text()): \(error.reason)")
        }
        guard case .object = object else {
            return QemuMonitorError(.internalError, "Parsed JSON reply '\(text())' isn't an object")
        }

        if object["QMP"] != nil {
            let first = state.withLock { s -> Bool in
                defer { s.greetingSeen = true }
                return !s.greetingSeen
            }
            if first { _ = complete(Self.greetingKey, with: .success(Line(object: object, text: bytes))) }
            return nil
        }
        guard state.withLock({ $0.greetingSeen }) else {
            // An event before the greeting is output QEMU had queued for
            // the previous client (a driver that died mid-migration: its
            // STOP comes out on the next connection, ahead of the greeting).
            // It is not this connection's: the caller reads the state anew.
            if object["event"] != nil && object["timestamp"] != nil { return nil }
            return QemuMonitorError(.internalError, "missing QMP greeting, got '\(text())'")
        }

        if object["event"] != nil {
            guard let event = QemuMonitorEvent(qmp: object) else {
                return QemuMonitorError(.internalError, "Unknown JSON reply '\(text())'")
            }
            deliver(.event(event))
            return nil
        }

        if object["return"] != nil || object["error"] != nil {
            let reply = Line(object: object, text: bytes)
            if let id = object["id"]?.stringValue, id != Self.greetingKey, id != Self.anonymousKey {
                if complete(id, with: .success(reply)) { return nil }
                if state.withLock({ $0.abandoned.remove(id) != nil }) { return nil }
            }
            // No id of ours: the reply to the command passed through without
            // one (or, once that caller gave up, its late reply).
            if complete(Self.anonymousKey, with: .success(reply)) { return nil }
            if state.withLock({ $0.abandoned.remove(Self.anonymousKey) != nil }) { return nil }
            return QemuMonitorError(.internalError, "Unexpected JSON reply '\(text())'")
        }

        return QemuMonitorError(.internalError, "Unknown JSON reply '\(text())'")
    }
}
