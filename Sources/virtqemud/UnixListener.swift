import virutil
import libvirt_abi
import Foundation
import Glibc
import remote

/// A listening UNIX socket with the permissions asked for; a stale socket
/// file is replaced, a live one (another daemon answers) is refused.
///
/// libvirt: `virNetSocketNewListenUNIX` (src/rpc/virnetsocket.c).
final class UnixListener: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let closed = NSLock()
    private var isClosed = false

    init(path: String, mode: mode_t) throws(RemoteError) {
        let addr = try UnixStream.socketAddress(path: path)
        if FileManager.default.fileExists(atPath: path) {
            if let probe = try? UnixStream.connect(path: path) {
                probe.close()
                throw RemoteError(.operationInvalid, "another daemon is listening on \(path)", domain: .remote)
            }
            unlink(path)
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw RemoteError(.systemError, "Failed to create socket: \(VirError.strerror(errno))") }
        // Bind with a umask that already gives `mode`, then chmod to be sure.
        let old = umask(~mode & 0o777)
        let rc = addr.withSockaddr { bind(fd, $0, $1) }
        let bindErrno = errno
        umask(old)
        guard rc == 0 else {
            Glibc.close(fd)
            throw RemoteError(.systemError, "Failed to bind socket to '\(path)': \(VirError.strerror(bindErrno))")
        }
        chmod(path, mode)
        guard listen(fd, 128) == 0 else {
            let e = errno
            Glibc.close(fd)
            unlink(path)
            throw RemoteError(.systemError, "Failed to listen on '\(path)': \(VirError.strerror(e))")
        }
        self.fd = fd
        self.path = path
    }

    /// Waits for a client; `nil` once the listener is closed.
    func accept() -> UnixStream? {
        while true {
            let c = Glibc.accept(fd, nil, nil)
            if c >= 0 {
                _ = fcntl(c, F_SETFD, FD_CLOEXEC)
                return UnixStream(fd: c)
            }
            if errno == EINTR || errno == ECONNABORTED { continue }
            if errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM {
                usleep(100_000)
                if closed.withLock({ isClosed }) { return nil }
                continue
            }
            return nil
        }
    }

    /// Stops accepting and removes the socket file.
    func close() {
        let first = closed.withLock { () -> Bool in
            defer { isClosed = true }
            return !isClosed
        }
        guard first else { return }
        Glibc.shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
        unlink(path)
    }
}
