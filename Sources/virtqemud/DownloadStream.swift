import Synchronization
import remote

/// Bytes a call hands its client as a stream (a screenshot): sent as data
/// (`VIR_NET_CONTINUE`) in pieces no larger than libvirt's, then an empty
/// data message for the end; the client's finish is confirmed with an
/// empty `VIR_NET_OK`, which its `virStreamFinish` waits for.
///
/// libvirt: `daemonStreamHandleRead` over the file's `virFDStream`.
final class DownloadStream: DaemonStream {
    let serial: UInt32
    let procedure: RemoteProcedure
    private weak let client: DaemonClient?
    private let bytes: Mutex<[UInt8]?>

    /// libvirt's `VIR_NET_MESSAGE_LEGACY_PAYLOAD_MAX`: the largest data
    /// message a stream sends.
    static let pieceSize = 256 * 1024

    init(_ bytes: [UInt8], procedure: RemoteProcedure, serial: UInt32, client: DaemonClient) {
        self.bytes = Mutex(bytes)
        self.procedure = procedure
        self.serial = serial
        self.client = client
    }

    func start() {
        guard let data = bytes.withLock({ b -> [UInt8]? in defer { b = nil }; return b }) else { return }
        var at = 0
        while at < data.count {
            let end = min(at + Self.pieceSize, data.count)
            client?.send(RemoteMessage(header: header(.continue), payload: Array(data[at..<end])))
            at = end
        }
        client?.send(RemoteMessage(header: header(.continue)))
    }

    /// A download takes no data; what a client sends is dropped.
    func write(_ bytes: [UInt8]) {}

    func clientEnded() {
        close()
        client?.send(RemoteMessage(header: header(.ok)))
    }

    @discardableResult
    func close() -> Bool {
        bytes.withLock { b -> Bool in defer { b = nil }; return b != nil }
    }
}
