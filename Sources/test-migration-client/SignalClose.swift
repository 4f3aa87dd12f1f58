import Dispatch
import Foundation
import Glibc
import Synchronization
import qemu_driver

/// SIGINT and SIGTERM close the client's connections (their close callbacks
/// run), then the process exits. Kept out of the top-level code, which is
/// main-actor isolated: the handler runs on a queue of its own.
enum SignalClose {
    /// The installed sources, kept alive for the life of the process.
    private final class Sources: @unchecked Sendable {
        var list: [any DispatchSourceSignal] = []
    }
    private static let sources = Sources()

    /// Call once, from the top-level code, before anything else runs.
    static func install(_ connections: [QemuConnection]) {
        let queue = DispatchQueue(label: "signals")
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            s.setEventHandler {
                Task.detached {
                    for c in connections { await c.close() }
                    exit(0)
                }
            }
            s.resume()
            sources.list.append(s)
        }
    }
}
