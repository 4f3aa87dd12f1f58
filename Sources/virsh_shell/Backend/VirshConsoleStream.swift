/// A console session's byte stream (`virStreamPtr` opened by
/// `virDomainOpenConsole`), read and written without blocking.
protocol VirshConsoleStream: Sendable {
    /// What the guest wrote since the last call (empty: nothing yet), or
    /// `nil` once the stream has ended.
    ///
    /// libvirt: `virStreamRecv` on a `VIR_STREAM_NONBLOCK` stream.
    func receive() throws(VirshError) -> [UInt8]?
    /// libvirt: `virStreamSend`.
    func send(_ bytes: [UInt8]) throws(VirshError)
    /// Ends the session (libvirt: `virStreamFinish`, `virStreamFree`).
    func finish() throws(VirshError)
}
