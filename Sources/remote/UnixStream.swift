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
        switch VirSocket.connect(try socketAddress(path: path)) {
        case .success(let fd):
            return UnixStream(fd: fd)
        case .failure(let f) where f.step == .socket:
            throw RemoteError(.systemError, "Failed to create socket: \(VirError.strerror(f.errno))")
        case .failure(let f):
            throw RemoteError(.systemError, "Failed to connect socket to '\(path)': \(VirError.strerror(f.errno))")
        }
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
            let n = out.withUnsafeMutableBytes { VirSocket.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[got...])) }
            if n > 0 {
                got += n
            } else if n == 0 {
                if got == 0 { return nil }
                throw RemoteError(.systemError, "End of file while reading data: Input/output error")
            } else {
                throw RemoteError(.systemError, "Cannot recv data: \(VirError.strerror(Int32(-n)))")
            }
        }
        return out
    }

    /// Writes every byte.
    public func write(_ bytes: [UInt8]) throws(RemoteError) {
        if case .failed(let err) = VirSocket.sendAll(fd, bytes) {
            throw RemoteError(.systemError, "Cannot write data: \(VirError.strerror(err))")
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
        VirSocket.setSendTimeout(fd, seconds: seconds)
    }

    /// Ends both directions: a reader blocked on this socket wakes up.
    public func shutdown() {
        let fd = self.fd
        if fd >= 0 { VirSocket.shutdown(fd) }
    }

    public func close() {
        lock.withLock {
            if fdValue >= 0 {
                VirSocket.close(fdValue)
                fdValue = -1
            }
        }
    }
}
