import Dispatch
import Synchronization
import remote

/// A client's queue of outgoing frames, written in order by one writer
/// thread, so that replies, events and keepalive answers never interleave
/// and a slow reader blocks nobody else. A client that lets more than
/// `maxQueuedBytes` pile up is dropped.
///
/// libvirt: the tx queue of `virNetServerClient` (`virNetServerClientSendMessage`).
final class Outbox: Sendable {
    /// Twice the largest message: room for one big reply and some events.
    static let maxQueuedBytes = 2 * (RemoteProtocolLimits.messageMax + RemoteProtocolLimits.lengthWord)

    private struct State {
        var frames: [[UInt8]] = []
        var head = 0
        var bytes = 0
        var closed = false
    }
    private let state = Mutex(State())
    private let ready = DispatchSemaphore(value: 0)

    /// Queues a message; `false` if the outbox is closed or overflowing
    /// (the caller then drops the client).
    @discardableResult
    func send(_ msg: RemoteMessage) -> Bool {
        guard let frame = try? msg.framed() else { return false }
        let ok = state.withLock { s -> Bool in
            guard !s.closed, s.bytes + frame.count <= Self.maxQueuedBytes else { return false }
            s.frames.append(frame)
            s.bytes += frame.count
            return true
        }
        if ok { ready.signal() }
        return ok
    }

    /// The next frame to write, waiting for one; `nil` once closed and drained.
    func next() -> [UInt8]? {
        while true {
            let f = state.withLock { s -> [UInt8]?? in
                if s.head < s.frames.count {
                    let f = s.frames[s.head]
                    s.head += 1
                    s.bytes -= f.count
                    if s.head > 64 && s.head * 2 > s.frames.count {
                        s.frames.removeFirst(s.head)
                        s.head = 0
                    }
                    return .some(f)
                }
                return s.closed ? .some(nil) : nil
            }
            if let f { return f }
            ready.wait()
        }
    }

    /// No more frames are accepted; the writer ends after the queued ones.
    func close() {
        let first = state.withLock { s -> Bool in
            defer { s.closed = true }
            return !s.closed
        }
        if first { ready.signal() }
    }
}
