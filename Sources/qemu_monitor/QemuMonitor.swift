#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A QMP client for one QEMU process (QMP serves one client at a time: keep one
/// `QemuMonitor` per QEMU instance).
///
/// Commands may be sent from many tasks at once; each gets the reply that
/// carries its `id`. Events and the end of the connection reach the owner as
/// `QemuMonitorNotification`s, both through `events` and through the handler
/// set with `setEventHandler(_:)`.
///
/// Closing: `close()` ends the connection; dropping the last reference closes it
/// too. When QEMU exits, crashes or is killed, waiting commands fail with
/// "End of file from qemu monitor" and the owner gets `.closed(.endOfFile)`.
///
/// libvirt: `qemuMonitor` (src/qemu/qemu_monitor.c, qemu_monitor_json.c).
public final class QemuMonitor: Sendable {
    /// The monitor socket's path.
    public let path: String
    /// QEMU's version from the greeting.
    public let version: QemuVersion
    /// The greeting's `QMP` object (`version`, `capabilities`).
    public let greeting: JSONValue

    let connection: MonitorConnection

    private init(connection: MonitorConnection, version: QemuVersion, greeting: JSONValue) {
        self.connection = connection
        self.path = connection.path
        self.version = version
        self.greeting = greeting
    }

    deinit {
        connection.close()
    }

    // MARK: - Connecting

    /// Connects to QEMU's QMP socket at `path`, reads the greeting and leaves
    /// capabilities negotiation mode (`qmp_capabilities`).
    ///
    /// While the socket does not exist yet or refuses connections (QEMU creates
    /// it shortly after it starts), connecting is retried with a growing pause
    /// until `timeout`, which bounds the whole call (greeting included).
    /// `processAlive`, when given, is asked before each retry: once it returns
    /// `false` the wait ends with "process exited while connecting to monitor".
    ///
    /// Errors: `VIR_ERR_SYSTEM_ERROR` with the path and the `errno` text when
    /// the socket cannot be reached (at once for errors that retrying cannot
    /// cure, such as `EACCES`; after `timeout` for `ENOENT`/`ECONNREFUSED`),
    /// `VIR_ERR_OPERATION_TIMEOUT` when the greeting does not come,
    /// `VIR_ERR_INTERNAL_ERROR` for a malformed greeting or a QEMU that died.
    ///
    /// libvirt: `qemuMonitorOpen`, `qemuMonitorOpenUnix`, `qemuMonitorSetCapabilities`.
    public static func connect(path: String,
                               timeout: Duration = .seconds(30),
                               processAlive: (@Sendable () -> Bool)? = nil) async throws(QemuMonitorError) -> QemuMonitor {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        let fd = try await connectSocket(path: path, deadline: deadline, clock: clock, processAlive: processAlive)
        let connection = MonitorConnection(fd: fd, path: path)
        do throws(QemuMonitorError) {
            let greetingLine = try await connection.awaitGreeting(timeout: clock.now.duration(to: deadline)).get().object
            guard let qmp = greetingLine["QMP"], let version = qmp["version"].flatMap(QemuVersion.init(qmp:)) else {
                throw QemuMonitorError(.internalError,
                                       "QMP greeting without a QEMU version: '\(QemuMonitorError.quoted(greetingLine.jsonString))'")
            }
            let monitor = QemuMonitor(connection: connection, version: version, greeting: qmp)
            let remaining = clock.now.duration(to: deadline)
            _ = try await monitor.execute("qmp_capabilities", timeout: max(remaining, .seconds(1)))
            return monitor
        } catch {
            connection.close()
            throw error
        }
    }

    private static func connectSocket(path: String, deadline: ContinuousClock.Instant, clock: ContinuousClock,
                                      processAlive: (@Sendable () -> Bool)?) async throws(QemuMonitorError) -> Int32 {
        var pause = Duration.milliseconds(1)
        while true {
            let lastErrno: Int32
            switch UnixSocket.connect(path: path) {
            case .connected(let fd):
                return fd
            case .failed(let error):
                throw error
            case .notYet(let err):
                lastErrno = err
            }
            if let processAlive, !processAlive() {
                throw QemuMonitorError(.internalError, "process exited while connecting to monitor")
            }
            let now = clock.now
            if now >= deadline {
                throw QemuMonitorError.system(lastErrno, "monitor socket '\(path)' did not show up")
            }
            do {
                try await Task.sleep(for: min(pause, now.duration(to: deadline)))
            } catch {
                throw QemuMonitorError(.operationAborted, "connecting to monitor socket '\(path)' was cancelled")
            }
            pause = min(pause * 2, .milliseconds(10))
        }
    }

    // MARK: - Commands

    /// Sends the QMP command `command` with `arguments` and returns its
    /// `return` value.
    ///
    /// A QMP error reply throws `VIR_ERR_INTERNAL_ERROR` "unable to execute QEMU
    /// command 'NAME': DESC" with the QMP class in `qmpClass`; no reply within
    /// `timeout` throws `VIR_ERR_OPERATION_TIMEOUT` (the monitor stays usable,
    /// a late reply is dropped); a closed connection throws its reason (e.g.
    /// "End of file from qemu monitor"); cancelling the calling task throws
    /// `VIR_ERR_OPERATION_ABORTED`.
    ///
    /// libvirt: `qemuMonitorJSONCommand`, `qemuMonitorJSONCheckError`.
    public func execute(_ command: String, _ arguments: [String: JSONValue]? = nil,
                        timeout: Duration = .seconds(60)) async throws(QemuMonitorError) -> JSONValue {
        try await execute(command, arguments, fd: nil, timeout: timeout)
    }

    /// `execute`, with a descriptor passed along (`SCM_RIGHTS`).
    func execute(_ command: String, _ arguments: [String: JSONValue]?, fd: Int32?,
                 timeout: Duration) async throws(QemuMonitorError) -> JSONValue {
        let reply = try await connection.execute(command, arguments, fd: fd, timeout: timeout).get().object
        if reply["error"] != nil {
            throw QemuMonitorError.commandFailed(command, error: reply["error"])
        }
        guard let value = reply["return"] else {
            throw QemuMonitorError.commandFailed(command, error: nil)
        }
        return value
    }

    /// `execute` for commands whose `return` is an object.
    ///
    /// libvirt: `qemuMonitorJSONGetReply(..., VIR_JSON_TYPE_OBJECT)`.
    func executeObject(_ command: String, _ arguments: [String: JSONValue]? = nil,
                       timeout: Duration = .seconds(60)) async throws(QemuMonitorError) -> [String: JSONValue] {
        guard let object = try await execute(command, arguments, timeout: timeout).objectValue else {
            throw QemuMonitorError.unexpectedType(command)
        }
        return object
    }

    /// `execute` for commands whose `return` is an array.
    ///
    /// libvirt: `qemuMonitorJSONGetReply(..., VIR_JSON_TYPE_ARRAY)`.
    func executeArray(_ command: String, _ arguments: [String: JSONValue]? = nil,
                      timeout: Duration = .seconds(60)) async throws(QemuMonitorError) -> [JSONValue] {
        guard let array = try await execute(command, arguments, timeout: timeout).arrayValue else {
            throw QemuMonitorError.unexpectedType(command)
        }
        return array
    }

    // MARK: - Events and closing

    /// Every event, then one `.closed`, then the end of the sequence. One
    /// stream per monitor, for one consumer; it keeps the newest
    /// `MonitorConnection.streamBufferLimit` (4096) notifications when nobody
    /// reads it.
    ///
    /// libvirt: `qemuMonitorEmitEvent` and the EOF/error callbacks.
    public var events: AsyncStream<QemuMonitorNotification> { connection.notifications }

    /// Sets (or with `nil` removes) a callback that gets every notification
    /// synchronously on the monitor's reader thread, before the stream does.
    /// Keep it short: no further input is read while it runs, so it must not
    /// wait for a command of this monitor. After `.closed` the handler is
    /// released; one set after the connection is over gets `.closed` at once.
    ///
    /// libvirt: `qemuMonitorCallbacks` given to `qemuMonitorOpen`.
    public func setEventHandler(_ handler: (@Sendable (QemuMonitorNotification) -> Void)?) {
        connection.setHandler(handler)
    }

    /// Why the connection is over; `nil` while it is open. After `close()` it is
    /// "QEMU monitor was closed" unless QEMU had closed it first.
    public var closeReason: QemuMonitorError? { connection.failure }

    /// Whether the connection is over.
    public var isClosed: Bool { connection.failure != nil }

    /// Closes the connection. Idempotent. Waiting commands fail with "QEMU
    /// monitor was closed"; handler and stream get `.closed(nil)` (or the
    /// earlier reason). Returns once the socket is closed (after at most a few
    /// seconds, should an event handler call still be running), except when
    /// called from the event handler, where the reader thread closes it right
    /// after.
    ///
    /// libvirt: `qemuMonitorClose`.
    public func close() {
        connection.close()
    }
}
