import Foundation

/// The times by which a client must have done something, and what
/// happens when one passes:
/// - the handshake: a connection that has not opened the driver within
///   `handshake_timeout` seconds is dropped;
/// - a message stalled half way for `handshake_timeout` seconds drops the
///   client;
/// - keepalive (once the client asked for it): after `keepalive_interval`
///   seconds without a message the client is pinged, and after
///   `keepalive_count` pings without an answer it is dropped, with
///   libvirt's "connection closed due to keepalive timeout".
///
/// libvirt: `virKeepAliveTimerInternal` (src/rpc/virkeepalive.c); the
/// handshake and stall bounds are this daemon's own.
struct ClientDeadlines {
    let handshake: Duration?
    let interval: Duration?
    let count: Int
    let connected = ContinuousClock.now
    private var lastMessage = ContinuousClock.now
    private var pings = 0

    init(config: DaemonConfig) {
        handshake = config.handshakeTimeout > 0 ? .seconds(config.handshakeTimeout) : nil
        interval = config.keepaliveInterval > 0 ? .seconds(config.keepaliveInterval) : nil
        count = config.keepaliveCount
    }

    enum Action: Equatable {
        case none
        case ping
        case drop(String)
    }

    /// A message came: every deadline starts again.
    mutating func received() {
        lastMessage = .now
        pings = 0
    }

    private func due(partial: Bool, lastByte: ContinuousClock.Instant, opened: Bool, keepalive: Bool)
        -> [(ContinuousClock.Instant, Action)] {
        var out: [(ContinuousClock.Instant, Action)] = []
        if let handshake, !opened {
            out.append((connected + handshake, .drop("it did not open a connection within \(handshake.components.seconds) seconds")))
        }
        if let handshake, partial {
            out.append((lastByte + handshake, .drop("it sent part of a message and nothing more for \(handshake.components.seconds) seconds")))
        }
        if let interval, keepalive {
            let next = lastMessage + interval * (pings + 1)
            out.append((next, pings >= count ? .drop("connection closed due to keepalive timeout") : .ping))
        }
        return out
    }

    /// How long the reader may wait for input (-1: no bound). While
    /// keepalive may still start (the call that asks for it runs apart
    /// from the reader), the wait is at most one interval, so that the
    /// first ping is at most one interval late.
    func wait(partial: Bool, lastByte: ContinuousClock.Instant, opened: Bool, keepalive: Bool) -> Int32 {
        var deadlines = due(partial: partial, lastByte: lastByte, opened: opened, keepalive: keepalive).map(\.0)
        if let interval, !keepalive { deadlines.append(.now + interval) }
        guard let first = deadlines.min() else { return -1 }
        let left = first - .now
        if left <= .zero { return 0 }
        let ms = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1
        return Int32(clamping: ms)
    }

    /// What is due now: a drop before a ping.
    mutating func expired(partial: Bool, lastByte: ContinuousClock.Instant, opened: Bool, keepalive: Bool) -> Action {
        let now = ContinuousClock.now
        let passed = due(partial: partial, lastByte: lastByte, opened: opened, keepalive: keepalive).filter { $0.0 <= now }.map(\.1)
        if let drop = passed.first(where: { $0 != .ping }) { return drop }
        if passed.contains(.ping) {
            pings += 1
            return .ping
        }
        return .none
    }
}
