import Foundation
import libvirt_abi
import remote
import virutil

/// A client's input cut into messages, read with a bound on each wait, so
/// that the reader can also keep the client's deadlines (the handshake, a
/// message left half sent, keepalive). Memory grows with the bytes the
/// client really sent, not with the length it announced.
///
/// libvirt: `virNetServerClientDispatchRead` with `virNetMessageDecodeLength`.
final class ClientReader {
    private let fd: Int32
    private var buffer: [UInt8] = []
    /// The bytes the part being read needs: the length word, then the body.
    private var need = RemoteProtocolLimits.lengthWord
    private var readingBody = false
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    /// When the last byte came.
    private(set) var lastByte = ContinuousClock.now

    enum Next {
        case message(RemoteMessage)
        /// Nothing came within the wait.
        case timedOut
        /// The client closed its end between two messages.
        case closed
    }

    init(fd: Int32) { self.fd = fd }

    /// Whether a message has begun and not ended.
    var isPartial: Bool { readingBody || !buffer.isEmpty }

    /// The next message, waiting at most `milliseconds` for input (-1:
    /// as long as it takes).
    func next(within milliseconds: Int32) throws(RemoteError) -> Next {
        while true {
            if buffer.count == need {
                if let m = try complete() { return .message(m) }
                continue  // the length word is in: now the body
            }
            guard VirSocket.waitReadable(fd, milliseconds: milliseconds) else { return .timedOut }
            let want = min(chunk.count, need - buffer.count)
            let n = chunk.withUnsafeMutableBytes {
                VirSocket.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<want]))
            }
            if n > 0 {
                buffer.append(contentsOf: chunk[0..<n])
                lastByte = .now
            } else if n == 0 {
                if !isPartial { return .closed }
                throw RemoteError(.systemError, "End of file while reading data: Input/output error")
            } else if n == -Int(EAGAIN) || n == -Int(EWOULDBLOCK) {
                return .timedOut
            } else {
                throw RemoteError(.systemError, "Cannot recv data: \(VirError.strerror(Int32(-n)))")
            }
        }
    }

    /// A part is in: the length word (the body comes next) or the body
    /// (a message, and the next one starts).
    private func complete() throws(RemoteError) -> RemoteMessage? {
        if !readingBody {
            need = try RemoteMessage.bodyLength(lengthWord: buffer)
            buffer = []
            buffer.reserveCapacity(min(need, 64 * 1024))
            readingBody = true
            if need > 0 { return nil }
        }
        let body = buffer
        buffer = []
        need = RemoteProtocolLimits.lengthWord
        readingBody = false
        return try RemoteMessage(body: body)
    }
}
