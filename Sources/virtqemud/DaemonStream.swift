import remote

/// A stream a call opened for its client (`VIR_NET_STREAM` messages with
/// the call's procedure and serial): started once the call's reply is
/// queued, fed the client's data, ended by the client's finish or abort,
/// closed when the client goes.
///
/// libvirt: `daemonClientStream` (src/remote/remote_daemon_stream.c).
protocol DaemonStream: AnyObject, Sendable {
    var serial: UInt32 { get }
    /// The procedure of the call that opened it.
    var procedure: RemoteProcedure { get }
    /// The call's reply went: the stream may send.
    func start()
    /// The client's data.
    func write(_ bytes: [UInt8])
    /// The client finished or aborted: confirmed with an empty `VIR_NET_OK`.
    func clientEnded()
    /// The client is gone.
    @discardableResult func close() -> Bool
}

extension DaemonStream {
    /// The header of the stream's messages.
    func header(_ status: MessageStatus) -> MessageHeader {
        MessageHeader(program: RemoteProgram.remote, version: RemoteProgram.remoteVersion,
                      procedure: procedure.rawValue, type: .stream, serial: serial, status: status)
    }
}
