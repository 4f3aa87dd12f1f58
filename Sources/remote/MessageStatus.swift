/// The status of a message (`virNetMessageStatus`). An open set, like
/// `MessageType`.
///
/// libvirt: `enum virNetMessageStatus` (src/rpc/virnetprotocol.x).
public struct MessageStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// `VIR_NET_OK`: always for calls; a successful reply.
    public static let ok = MessageStatus(rawValue: 0)
    /// `VIR_NET_ERROR`: a reply whose payload is a `remote_error`.
    public static let error = MessageStatus(rawValue: 1)
    /// `VIR_NET_CONTINUE`: more stream data follows.
    public static let `continue` = MessageStatus(rawValue: 2)

    public var description: String { "\(rawValue)" }
}
