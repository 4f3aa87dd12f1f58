import virutil
import libvirt_abi
import Foundation
import Glibc

/// A connected UNIX stream socket: exact reads, whole writes, a clean
/// shutdown. Used by both ends of the protocol.
///
/// libvirt: `virNetSocket` (src/rpc/virnetsocket.c), UNIX sockets only.
public final class UnixStream: @unchecked Sendable {
    // The descriptor is written only by `close()`, under the lock; reads and
    // writes use a copy and fail cleanly once it is closed.
    private let lock = NSLock()
    private var fdValue: Int32

    public init(fd: Int32) { fdValue = fd }

    deinit { close() }

    public var fd: Int32 { lock.withLock { fdValue } }

    /// The longest socket path (`UnixSocketAddress.maxPathLength`).
    public static let maxPathLength = UnixSocketAddress.maxPathLength

    /// Connects to a listening socket.
    public static func connect(path: String) throws(RemoteError) -> UnixStream {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw RemoteError(.systemError, "Failed to create socket: \(VirError.strerror(errno))") }
        let addr: UnixSocketAddress
        do { addr = try socketAddress(path: path) } catch {
            Glibc.close(fd)
            throw error
        }
        let rc = addr.withSockaddr { Glibc.connect(fd, $0, $1) }
        guard rc == 0 else {
            let e = errno
            Glibc.close(fd)
            throw RemoteError(.systemError, "Failed to connect socket to '\(path)': \(VirError.strerror(e))")
        }
        return UnixStream(fd: fd)
    }

    /// The address of `path`, refusing paths that do not fit.
    public static func socketAddress(path: String) throws(RemoteError) -> UnixSocketAddress {
        guard let addr = UnixSocketAddress(path: path) else {
            throw RemoteError(.internalError, "UNIX socket path '\(path)' too long (\(path.utf8.count) bytes, at most \(maxPathLength))")
        }
        return addr
    }

    /// Reads exactly `count` bytes; `nil` on end of file before the first
    /// byte; an error on end of file in the middle.
    public func read(exactly count: Int) throws(RemoteError) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        let fd = self.fd
        while got < count {
            let n = out.withUnsafeMutableBytes { buf -> Int in
                guard let base = buf.baseAddress else { return 0 }
                return Glibc.read(fd, base + got, count - got)
            }
            if n > 0 {
                got += n
            } else if n == 0 {
                if got == 0 { return nil }
                throw RemoteError(.systemError, "End of file while reading data: Input/output error")
            } else if errno != EINTR {
                throw RemoteError(.systemError, "Cannot recv data: \(VirError.strerror(errno))")
            }
        }
        return out
    }

    /// Writes every byte.
    public func write(_ bytes: [UInt8]) throws(RemoteError) {
        var sent = 0
        let fd = self.fd
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { buf -> Int in
                guard let base = buf.baseAddress else { return 0 }
                return Glibc.send(fd, base + sent, bytes.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n >= 0 {
                sent += n
            } else if errno != EINTR {
                throw RemoteError(.systemError, "Cannot write data: \(VirError.strerror(errno))")
            }
        }
    }

    /// Reads one message: the length word (checked), then the body.
    /// `nil` when the peer closed the stream between messages.
    ///
    /// libvirt: `virNetSocketRead` with `virNetMessageDecodeLength` and
    /// `virNetMessageDecodeHeader`.
    public func readMessage() throws(RemoteError) -> RemoteMessage? {
        guard let word = try read(exactly: RemoteProtocolLimits.lengthWord) else { return nil }
        let n = try RemoteMessage.bodyLength(lengthWord: word)
        guard let body = try read(exactly: n) else {
            throw RemoteError(.systemError, "End of file while reading data: Input/output error")
        }
        return try RemoteMessage(body: body)
    }

    /// Writes one message, framed.
    public func writeMessage(_ m: RemoteMessage) throws(RemoteError) {
        try write(m.framed())
    }

    /// Sets a send timeout, so that a peer that stops reading cannot hold
    /// a writer forever.
    public func setSendTimeout(seconds: Int) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Ends both directions: a reader blocked on this socket wakes up.
    public func shutdown() {
        let fd = self.fd
        if fd >= 0 { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    public func close() {
        lock.withLock {
            if fdValue >= 0 {
                Glibc.close(fdValue)
                fdValue = -1
            }
        }
    }
}
