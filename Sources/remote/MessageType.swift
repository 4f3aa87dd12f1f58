/// What a message is (`virNetMessageType`). An open set: a peer may send
/// any number, which the dispatcher then refuses.
///
/// libvirt: `enum virNetMessageType` (src/rpc/virnetprotocol.x).
public struct MessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `VIR_NET_CALL`: client → server, the args of a method call.
    public static let call = MessageType(rawValue: 0)
    /// `VIR_NET_REPLY`: server → client, the reply or error of a call.
    public static let reply = MessageType(rawValue: 1)
    /// `VIR_NET_MESSAGE`: either direction, an asynchronous notification.
    public static let message = MessageType(rawValue: 2)
    /// `VIR_NET_STREAM`: stream data.
    public static let stream = MessageType(rawValue: 3)
    /// `VIR_NET_CALL_WITH_FDS`.
    public static let callWithFDs = MessageType(rawValue: 4)
    /// `VIR_NET_REPLY_WITH_FDS`.
    public static let replyWithFDs = MessageType(rawValue: 5)
    /// `VIR_NET_STREAM_HOLE`.
    public static let streamHole = MessageType(rawValue: 6)

    public var description: String { "\(rawValue)" }
}
