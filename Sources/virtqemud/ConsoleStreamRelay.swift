import Foundation
import Glibc
import Synchronization
import libvirt_abi
import remote
import virutil

/// One console session of a client: the guest's pty, relayed as the
/// stream `virDomainOpenConsole` opened (`VIR_NET_STREAM` messages with the
/// call's procedure and serial). What the guest writes goes out as data
/// (`VIR_NET_CONTINUE`); the client's data is written to the pty; the
/// client's finish or abort is confirmed with an empty `VIR_NET_OK`, and
/// the pty's end is sent as empty data.
///
/// libvirt: `daemonClientStream` (src/remote/remote_daemon_stream.c) over
/// the pty's `virFDStream`, and `virChrdevOpen`'s one session per device.
final class ConsoleStreamRelay: DaemonStream {
    let serial: UInt32
    let path: String
    private weak let client: DaemonClient?
    /// The pty, -1 once closed (reads and writes take the lock, so that the
    /// number is never used after `close`).
    private let fd: Mutex<Int32>

    init(path: String, serial: UInt32, client: DaemonClient) throws(RemoteError) {
        let fd: Int32
        do throws(VirError) { fd = try VirFile.openPTY(path) } catch { throw RemoteError(error) }
        self.fd = Mutex(fd)
        self.path = path
        self.serial = serial
        self.client = client
    }

    let procedure = RemoteProcedure.domainOpenConsole

    /// Starts relaying the guest's output (after the call's reply went).
    func start() {
        let t = Thread { [self] in self.readLoop() }
        t.name = "virtqemud-console-\(serial)"
        t.start()
    }

    private func readLoop() {
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let current = fd.withLock { $0 }
            guard current >= 0 else { return }
            var p = pollfd(fd: current, events: Int16(POLLIN), revents: 0)
            _ = poll(&p, 1, 100)
            let n = fd.withLock { fd -> Int in
                guard fd >= 0 else { return -2 }
                return buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            }
            if n > 0 {
                client?.send(RemoteMessage(header: header(.continue), payload: Array(buf[0..<n])))
            } else if n == -2 {
                return
            } else if n < 0 && (errno == EAGAIN || errno == EINTR) {
                continue
            } else {
                // EIO: the QEMU side is gone; the stream ends.
                if close() { sendEOF() }
                return
            }
        }
    }

    /// The client's data, to the guest.
    func write(_ bytes: [UInt8]) {
        var off = 0
        while off < bytes.count {
            let n = fd.withLock { fd -> Int in
                guard fd >= 0 else { return -2 }
                return bytes[off...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            }
            if n == -2 { return }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { usleep(1000); continue }
                return
            }
            off += n
        }
    }

    /// The client finished or aborted: the pty closes (if the guest's end
    /// or a forced session had not closed it already), and an empty OK
    /// confirms it, which the client's `virStreamFinish` waits for
    /// (libvirt: `daemonStreamHandleFinish`, `...Abort`).
    func clientEnded() {
        close()
        client?.send(RemoteMessage(header: header(.ok)))
    }

    /// Another session took the console over (`--force`): the stream ends
    /// here as at the pty's end.
    func takenOver() {
        if close() { sendEOF() }
    }

    /// The end of the data: an empty `VIR_NET_CONTINUE` (an `VIR_NET_OK`
    /// only confirms the client's finish or abort; unasked, the client
    /// takes it for a protocol error). libvirt: `daemonStreamHandleRead`
    /// sending a zero-length read.
    private func sendEOF() {
        client?.send(RemoteMessage(header: header(.continue)))
    }

    /// Closes the pty once; whether this call did.
    @discardableResult
    func close() -> Bool {
        let was = fd.withLock { fd -> Int32 in
            defer { fd = -1 }
            return fd
        }
        guard was >= 0 else { return false }
        Glibc.close(was)
        client?.server.consoleEnded(self)
        return true
    }
}
