import Foundation
import Glibc
import libvirt_abi
import qemu_monitor
import virutil

/// A client of the QEMU guest agent running inside a guest, reached through
/// the UNIX socket of its `org.qemu.guest_agent.0` channel (QEMU's chardev
/// server, one client at a time). Each command is one connection: connect,
/// `guest-sync` with a fresh id (replies left over from an earlier client
/// are read and dropped until that id comes back), the command, its reply,
/// close. The agent speaks QMP's JSON, one object per line.
///
/// The calls block (socket timeouts bound them) and run on a thread of
/// their own, not on Swift's cooperative pool: a guest that does not answer
/// costs its caller the timeout, nobody else.
///
/// libvirt: `qemuAgent` (src/qemu/qemu_agent.c), which keeps one
/// connection per domain open in the daemon; a driver here may live for one
/// virsh command, so the connection lives for one agent command.
public struct QemuAgent: Sendable {
    /// The channel's socket.
    public let path: String

    /// libvirt: `QEMU_AGENT_WAIT_TIME`, the default wait for a reply.
    public static let defaultTimeout: Duration = .seconds(5)

    public init(path: String) {
        self.path = path
    }

    /// Runs `command` and returns its `return` member.
    ///
    /// - Throws: `VIR_ERR_AGENT_UNRESPONSIVE` when the agent does not
    ///   answer in time or goes away, the agent's own error as libvirt
    ///   words it (`unable to execute QEMU agent command 'X': DESC`).
    ///
    /// libvirt: `qemuAgentCommand` (`qemuAgentGuestSync` first,
    /// `qemuAgentCheckError` after).
    public func execute(_ command: String, _ arguments: [String: JSONValue]? = nil,
                        timeout: Duration = QemuAgent.defaultTimeout) async throws(VirError) -> JSONValue {
        // With every error reported, there is always a value.
        try await exchange(command, arguments, timeout: timeout, reportUnsupported: true) ?? .null
    }

    /// `execute`, with `nil` for a command this agent does not have or has
    /// disabled (`CommandNotFound`, `CommandDisabled`).
    ///
    /// libvirt: `qemuAgentCommandFull` with `report_unsupported` false.
    public func executeIfSupported(_ command: String, _ arguments: [String: JSONValue]? = nil,
                                   timeout: Duration = QemuAgent.defaultTimeout) async throws(VirError) -> JSONValue? {
        try await exchange(command, arguments, timeout: timeout, reportUnsupported: false)
    }

    /// Runs a command that has no reply when it works (`guest-shutdown`):
    /// done when `happened` says the guest did it (QEMU's `RESET` or
    /// `SHUTDOWN` event, which the caller follows), checked every 100 ms;
    /// an error reply is the agent's refusal.
    ///
    /// libvirt: `qemuAgentShutdown` (`await_event`, woken by
    /// `qemuAgentNotifyEvent`), with `VIR_DOMAIN_QEMU_AGENT_COMMAND_SHUTDOWN`.
    public func executeAwaiting(_ command: String, _ arguments: [String: JSONValue]? = nil, timeout: Duration = .seconds(60),
                                until happened: @escaping @Sendable () -> Bool) async throws(VirError) {
        _ = try await exchange(command, arguments, timeout: timeout, reportUnsupported: true, awaiting: happened)
    }

    func exchange(_ command: String, _ arguments: [String: JSONValue]?, timeout: Duration,
                  reportUnsupported: Bool, awaiting: (@Sendable () -> Bool)? = nil) async throws(VirError) -> JSONValue? {
        let path = self.path
        let result: Result<JSONValue?, VirError> = await withCheckedContinuation { c in
            let thread = Thread {
                c.resume(returning: Result { () throws(VirError) -> JSONValue? in
                    try Self.run(path: path, command: command, arguments: arguments, timeout: timeout,
                                 reportUnsupported: reportUnsupported, awaiting: awaiting)
                })
            }
            thread.name = "qemu-agent"
            thread.start()
        }
        return try result.get()
    }

    // MARK: the exchange, on its thread

    static func run(path: String, command: String, arguments: [String: JSONValue]?, timeout: Duration,
                    reportUnsupported: Bool, awaiting: (@Sendable () -> Bool)? = nil) throws(VirError) -> JSONValue? {
        guard let addr = UnixSocketAddress(path: path) else {
            throw VirError(.internalError, "Socket path \(path) too big for destination")
        }
        let fd: Int32
        switch VirSocket.connect(addr) {
        case .success(let s): fd = s
        case .failure(let f): throw VirError.system(f.errno, "failed to connect to agent socket")
        }
        defer { VirSocket.close(fd) }
        let deadline = ContinuousClock.now + timeout
        var reader = LineReader(fd: fd, deadline: deadline)
        VirSocket.setSendTimeout(fd, seconds: max(1, Int(timeout.components.seconds)))

        // 0xFF resets the agent's JSON parser, should an earlier client
        // have left half a command; the agent answers it with an error,
        // which the sync below reads past.
        try send(fd, [0xFF])
        let id = UInt64(VirTime.millisNow()) &* 1000 &+ UInt64.random(in: 0..<1000)
        try send(fd, Array(#"{"execute":"guest-sync","arguments":{"id":\#(id)}}"#.utf8) + [0x0A])
        while true {
            let line = try reader.next()
            if let reply = try? JSONValue(parsing: line), reply["return"]?.uint64Value == id { break }
        }

        var message: [String: JSONValue] = ["execute": .string(command)]
        if let arguments { message["arguments"] = .object(arguments) }
        try send(fd, Array(JSONValue.object(message).jsonString.utf8) + [0x0A])
        var reply: JSONValue?
        while reply == nil {
            let line: [UInt8]
            if let awaiting {
                // In slices, so that the event is seen soon after it comes.
                // The end of the socket is QEMU's: the guest powered off.
                let next: [UInt8]?
                do throws(VirError) { next = try reader.next(within: .milliseconds(100)) } catch {
                    if error == Self.endOfFile { return nil }
                    throw error
                }
                guard let l = next else {
                    if awaiting() { return nil }
                    continue
                }
                line = l
            } else {
                line = try reader.next()
            }
            // A line that is not JSON (the agent never sends one) is skipped.
            reply = try? JSONValue(parsing: line)
        }
        if !reportUnsupported, let errorClass = reply?["error"]?["class"]?.stringValue,
           errorClass == "CommandNotFound" || errorClass == "CommandDisabled" {
            return nil
        }
        return try check(command, reply ?? .null)
    }

    /// The `return` member, or the error libvirt reports.
    ///
    /// libvirt: `qemuAgentCheckError`, `qemuAgentStringifyError`.
    static func check(_ command: String, _ reply: JSONValue) throws(VirError) -> JSONValue {
        if let error = reply["error"] {
            guard error.objectValue != nil else {
                throw VirError(.internalError, "unable to execute QEMU agent command '\(command)'")
            }
            let detail = error["desc"]?.stringValue ?? describe(errorClass: error["class"]?.stringValue)
            throw VirError(.internalError, "unable to execute QEMU agent command '\(command)': \(detail)")
        }
        guard let value = reply["return"] else {
            throw VirError(.internalError, "unable to execute QEMU agent command '\(command)'")
        }
        return value
    }

    /// libvirt: `qemuAgentStringifyErrorClass`.
    static func describe(errorClass: String?) -> String {
        switch errorClass {
        case "BufferOverrun": return "Buffer overrun"
        case "CommandDisabled": return "The command has been disabled for this instance"
        case "CommandNotFound": return "The command has not been found"
        case "FdNotFound": return "File descriptor not found"
        case "InvalidParameter": return "Invalid parameter"
        case "InvalidParameterType": return "Invalid parameter type"
        case "InvalidParameterValue": return "Invalid parameter value"
        case "OpenFileFailed": return "Cannot open file"
        case "QgaCommandFailed": return "Guest agent command failed"
        case "QMPBadInputObjectMember": return "Bad QMP input object member"
        case "QMPExtraInputObjectMember": return "Unexpected extra object member"
        case "UndefinedError": return "An undefined error has occurred"
        case "Unsupported": return "this feature or command is not currently supported"
        case let other?: return other
        case nil: return "unknown QEMU command error"
        }
    }

    static let notAvailable = VirError(.agentUnresponsive, "Guest agent not available for now")
    static let endOfFile = VirError(.internalError, "End of file from agent socket")

    static func send(_ fd: Int32, _ bytes: [UInt8]) throws(VirError) {
        switch VirSocket.sendAll(fd, bytes) {
        case .sent: return
        case .refused(let err), .failed(let err):
            if err == EAGAIN || err == EWOULDBLOCK { throw notAvailable }
            throw VirError.system(err, "Unable to write to agent")
        }
    }

    /// Lines from the socket, each read bounded by what is left of the
    /// command's time.
    struct LineReader {
        let fd: Int32
        let deadline: ContinuousClock.Instant
        var buffer: [UInt8] = []

        /// The next line (without its newline).
        ///
        /// - Throws: the time is up (`Guest agent not available for now`),
        ///   the agent's end closed (`End of file from agent socket`).
        mutating func next() throws(VirError) -> [UInt8] {
            guard let line = try next(within: nil) else { throw QemuAgent.notAvailable }
            return line
        }

        /// The next line, or `nil` when none came within `slice` (the
        /// command's deadline still ends the wait with an error).
        mutating func next(within slice: Duration?) throws(VirError) -> [UInt8]? {
            let sliceEnd = slice.map { ContinuousClock.now + $0 }
            while true {
                if let nl = buffer.firstIndex(of: 0x0A) {
                    let line = Array(buffer[..<nl])
                    buffer.removeSubrange(...nl)
                    if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
                    return line
                }
                if let sliceEnd, ContinuousClock.now >= sliceEnd, ContinuousClock.now < deadline { return nil }
                let end = sliceEnd.map { min($0, deadline) } ?? deadline
                let left = end - ContinuousClock.now
                guard left > .zero else {
                    if sliceEnd != nil, ContinuousClock.now < deadline { return nil }
                    throw QemuAgent.notAvailable
                }
                let ms = max(1, Int(left.components.seconds) * 1000 + Int(left.components.attoseconds / 1_000_000_000_000_000))
                VirSocket.setReceiveTimeout(fd, milliseconds: ms)
                var chunk = [UInt8](repeating: 0, count: 65536)
                let n = chunk.withUnsafeMutableBytes { VirSocket.read(fd, into: $0) }
                if n == 0 { throw QemuAgent.endOfFile }
                if n < 0 {
                    let err = Int32(-n)
                    if err == EAGAIN || err == EWOULDBLOCK {
                        if sliceEnd != nil, ContinuousClock.now < deadline { return nil }
                        throw QemuAgent.notAvailable
                    }
                    throw VirError.system(err, "Unable to read from agent")
                }
                buffer += chunk[..<n]
                guard buffer.count <= 16 << 20 else { throw VirError(.internalError, "agent reply too large") }
            }
        }
    }
}
