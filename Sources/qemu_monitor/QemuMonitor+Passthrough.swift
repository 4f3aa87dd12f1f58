import libvirt_abi
import virutil

/// Commands passed through as the user wrote them
/// (`virsh qemu-monitor-command`).
extension QemuMonitor {
    /// Sends a QMP command given as JSON text and returns QEMU's reply as
    /// text: the whole reply object (`return` or `error`, and the id),
    /// compact, with QEMU's member order and number text. An error reply
    /// is a reply like any other here.
    ///
    /// A command with `execute` gets the monitor's next id appended, as
    /// every command of libvirt's does; one that already has an `id`, or a
    /// value that is not an object, is refused as libvirt refuses it
    /// ("Unable to append command 'id' string"). A command without
    /// `execute` (`exec-oob`, or something QEMU will reject) goes out as it
    /// is, and the reply that matches no id of the monitor's is its answer.
    /// `fd`, when given, goes along with the command (`SCM_RIGHTS`).
    ///
    /// - Throws: libvirt's "cannot parse json ..." for text that is not
    ///   JSON, and the monitor's errors (closed, timed out, ...).
    ///
    /// libvirt: `qemuMonitorArbitraryCommand` → `qemuMonitorJSONArbitraryCommand`,
    /// `qemuMonitorJSONCommandWithFd`.
    public func arbitraryCommand(_ text: String, fd: Int32? = nil,
                                 timeout: Duration = .seconds(60)) async throws(QemuMonitorError) -> String {
        var command: VirJSON
        do {
            command = try VirJSON.parse(text)
        } catch {
            throw QemuMonitorError(error)
        }
        var id: String?
        // libvirt asks virJSONValueObjectHasKey, whose -1 for a value that
        // is not an object reads as "has it": the append then fails.
        if !command.isObject || command.hasKey("execute") {
            let next = connection.nextID()
            do {
                try command.append("id", .string(next))
            } catch {
                throw QemuMonitorError(.internalError, "Unable to append command 'id' string")
            }
            id = next
        }
        // What a timeout message names.
        let name = command["execute"]?.stringValue ?? command["exec-oob"]?.stringValue ?? QemuMonitorError.quoted(text)
        let line: String
        do {
            line = try command.format()
        } catch {
            throw QemuMonitorError(error)
        }
        let reply = try await connection.send(Array(line.utf8), id: id, command: name, fd: fd, timeout: timeout).get()
        do {
            return try VirJSON.parse(String(decoding: reply.text, as: UTF8.self)).format()
        } catch {
            throw QemuMonitorError(error)
        }
    }
}

extension QemuMonitorError {
    /// Another layer's error (the JSON code's), with its code, domain and detail.
    init(_ error: VirError) {
        self.init(error.code, error.detail, errno: error.errno, domain: error.domain)
    }
}
