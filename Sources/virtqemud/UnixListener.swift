import virutil
import libvirt_abi
import Foundation
import Glibc
import remote

/// A listening UNIX socket with the permissions and group asked for; a
/// stale socket file is replaced, a live one (another daemon answers) is
/// refused. `readOnly` marks the socket whose clients may only look.
///
/// libvirt: `virNetSocketNewListenUNIX` (src/rpc/virnetsocket.c).
final class UnixListener: @unchecked Sendable {
    let path: String
    let readOnly: Bool
    private let fd: Int32
    private let closed = NSLock()
    private var isClosed = false

    init(path: String, mode: mode_t, group: gid_t?, readOnly: Bool, backlog: Int) throws(RemoteError) {
        let addr = try UnixStream.socketAddress(path: path)
        if FileManager.default.fileExists(atPath: path) {
            if let probe = try? UnixStream.connect(path: path) {
                probe.close()
                throw RemoteError(.operationInvalid, "another daemon is listening on \(path)", domain: .remote)
            }
            unlink(path)
        }
        switch VirSocket.listen(addr, path: path, mode: mode, backlog: Int32(clamping: backlog)) {
        case .success(let fd):
            // The group is given once the socket exists: until then only
            // the daemon's own group (no wider) could reach it.
            if let group, chown(path, uid_t.max, group) != 0 {
                let err = Glibc.errno
                VirSocket.close(fd)
                unlink(path)
                throw RemoteError(.systemError, "Failed to change group ID of '\(path)' to \(group): \(VirError.strerror(err))")
            }
            self.fd = fd
        case .failure(let f):
            let what = switch f.step {
            case .socket: "Failed to create socket"
            case .bind: "Failed to bind socket to '\(path)'"
            default: "Failed to listen on '\(path)'"
            }
            throw RemoteError(.systemError, "\(what): \(VirError.strerror(f.errno))")
        }
        self.path = path
        self.readOnly = readOnly
    }

    /// Waits for a client (its stream and who it is); `nil` once the
    /// listener is closed.
    ///
    /// libvirt: `virNetSocketAccept`, `virNetSocketGetUNIXIdentity`.
    func accept() -> (UnixStream, VirSocket.PeerCredentials?)? {
        while true {
            switch VirSocket.accept(fd) {
            case .success(let c):
                let peer: VirSocket.PeerCredentials?
                switch VirSocket.peerCredentials(c) {
                case .success(let p): peer = p
                case .failure: peer = nil
                }
                return (UnixStream(fd: c), peer)
            case .failure(let f) where [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(f.errno):
                // Out of descriptors or memory for a moment: try again
                // unless the listener is being closed.
                usleep(100_000)
                if closed.withLock({ isClosed }) { return nil }
            case .failure:
                return nil
            }
        }
    }

    /// Stops accepting and removes the socket file.
    func close() {
        let first = closed.withLock { () -> Bool in
            defer { isClosed = true }
            return !isClosed
        }
        guard first else { return }
        VirSocket.shutdown(fd)
        VirSocket.close(fd)
        unlink(path)
    }
}
