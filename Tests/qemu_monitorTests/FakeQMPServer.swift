import Foundation
import Synchronization
import virutil

/// A hand-driven QMP peer for malformed-input tests: it listens on a UNIX
/// socket in a temporary directory, accepts one client on a background thread
/// and runs `script` with the connection. `stop()` (call it in `defer`) closes
/// everything and removes the directory.
final class FakeQMPServer: Sendable {
    static let greeting = #"{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "fake"}, "capabilities": ["oob"]}}"#

    let directory: URL
    let path: String
    private let listener: Int32
    private let finished = Mutex(false)
    /// Set when the script is done (or failed); the client fd is closed by then.
    private let done = DispatchSemaphore(value: 0)

    init(script: @escaping @Sendable (FakePeer) throws -> Void) throws {
        directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("qmp-fake-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("qmp.sock").path

        guard let address = UnixSocketAddress(path: path) else { throw POSIXError(.ENAMETOOLONG) }
        let fd: Int32
        switch VirSocket.listen(address, path: path, mode: 0o700, backlog: 4) {
        case .success(let l): fd = l
        case .failure(let f): throw POSIXError(POSIXErrorCode(rawValue: f.errno) ?? .EIO)
        }
        listener = fd

        let done = self.done
        Thread.detachNewThread {
            defer { done.signal() }
            guard case .success(let client) = VirSocket.accept(fd) else { return }
            let peer = FakePeer(fd: client)
            defer { peer.closeNow() }
            try? script(peer)
        }
    }

    /// Closes the listener (which also ends a pending `accept`), waits for the
    /// script, removes the directory.
    func stop() {
        let first = finished.withLock { f -> Bool in
            defer { f = true }
            return !f
        }
        guard first else { return }
        VirSocket.shutdown(listener)
        VirSocket.close(listener)
        _ = done.wait(timeout: .now() + 30)
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The server's end of one connection, with blocking line I/O.
final class FakePeer: Sendable {
    private let fd: Int32
    private let buffer = Mutex<[UInt8]>([])
    private let closed = Mutex(false)

    init(fd: Int32) { self.fd = fd }

    func send(_ text: String) {
        _ = VirSocket.sendAll(fd, Array(text.utf8))
    }

    func sendLine(_ text: String) { send(text + "\r\n") }

    /// The next line without its line ending; `nil` at end of file.
    func readLine() -> String? {
        while true {
            if let line = buffer.withLock({ buf -> String? in
                guard let nl = buf.firstIndex(of: 0x0A) else { return nil }
                var end = nl
                if end > 0, buf[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: buf[0..<end], as: UTF8.self)
                buf.removeFirst(nl + 1)
                return line
            }) {
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { VirSocket.read(fd, into: $0) }
            if n <= 0 { return nil }
            buffer.withLock { $0.append(contentsOf: chunk[0..<n]) }
        }
    }

    /// The next command's `id`, `execute` and the argument `n` if any; `nil`
    /// at end of file.
    func readCommand() -> (id: String, execute: String, n: Int?)? {
        guard let line = readLine(),
              let data = line.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        let arguments = object["arguments"] as? [String: Any]
        return ((object["id"] as? String) ?? "", (object["execute"] as? String) ?? "", arguments?["n"] as? Int)
    }

    /// Greeting plus the `qmp_capabilities` exchange, as QEMU does it.
    func handshake() {
        sendLine(FakeQMPServer.greeting)
        guard let command = readCommand() else { return }
        sendLine(#"{"return": {}, "id": "\#(command.id)"}"#)
    }

    /// Blocks until the client closes its end.
    func waitForClientClose() {
        while readLine() != nil {}
    }

    func closeNow() {
        let first = closed.withLock { c -> Bool in
            defer { c = true }
            return !c
        }
        if first { VirSocket.close(fd) }
    }
}
