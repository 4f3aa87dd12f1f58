/// The keepalive program's procedures: either side sends PING as a
/// `VIR_NET_MESSAGE` with no payload, the other answers PONG.
///
/// libvirt: `enum keepalive_procedure` (src/rpc/virkeepaliveprotocol.x),
/// `virKeepAliveMessage`, `virKeepAliveCheckMessage` (src/rpc/virkeepalive.c).
public enum KeepaliveProcedure: Int32, Sendable {
    /// `KEEPALIVE_PROC_PING`.
    case ping = 1
    /// `KEEPALIVE_PROC_PONG`.
    case pong = 2

    /// The message for this procedure (serial 0, status OK, no payload).
    public var message: RemoteMessage {
        RemoteMessage(header: MessageHeader(program: RemoteProgram.keepalive, version: RemoteProgram.keepaliveVersion,
                                            procedure: rawValue, type: .message, serial: 0))
    }
}
