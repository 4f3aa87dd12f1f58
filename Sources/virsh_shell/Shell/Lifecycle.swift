import Dispatch
import Glibc
import Synchronization

/// Every connection this process opened, so that a normal exit and
/// SIGINT/SIGTERM close them all: closing runs the driver's close
/// callbacks (a `start --autodestroy` domain is destroyed when virsh goes,
/// as with libvirt), then the embedded drivers let go of their roots.
enum OpenConnections {
    private static let open = Mutex<[any VirshConnection]>([])

    static func open(_ uri: String, readonly: Bool) async throws(VirshError) -> any VirshConnection {
        let c = try await Backends.open(uri, readonly: readonly)
        open.withLock { $0.append(c) }
        return c
    }

    /// Closes one connection (`virConnectClose`).
    static func close(_ c: any VirshConnection) async {
        let wasOpen = open.withLock { list -> Bool in
            guard let i = list.firstIndex(where: { $0 === c }) else { return false }
            list.remove(at: i)
            return true
        }
        guard wasOpen else { return }
        await c.close()
        if let e = c as? EmbeddedConnection {
            let driverInUse = open.withLock { list in
                list.contains { ($0 as? EmbeddedConnection)?.conn.driver === e.conn.driver }
            }
            if !driverInUse { e.closeDriver() }
        }
    }

    /// Closes them all, each once, as the process ends: the close
    /// callbacks run (an autodestroy domain is destroyed); what the
    /// embedded drivers hold (the root's lock, monitor sockets, the pidfds
    /// that watch the guests) goes with the process, as it would on a
    /// kill, without a close of each guest's watch first.
    static func closeAllAtExit() async {
        let all = open.withLock { list -> [any VirshConnection] in
            defer { list = [] }
            return list
        }
        for c in all { await c.close() }
    }
}

/// SIGINT and SIGTERM: while a job is watched (`migrate`), Ctrl-C aborts
/// the job, as virsh does; otherwise virsh closes its connections and
/// ends as the signal says.
enum Signals {
    private static let interruptHandler = Mutex<(@Sendable () -> Void)?>(nil)
    private static let sources = Mutex<[any DispatchSourceSignal]>([])

    static func install() {
        sources.withLock { list in
            let queue = DispatchQueue(label: "virsh.signals")
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
                s.setEventHandler { handle(sig) }
                s.resume()
                list.append(s)
            }
        }
    }

    /// While `body` runs, Ctrl-C calls `onInterrupt` instead of ending
    /// virsh (`virshWatchJob`).
    static func whileWatching<R>(isolation: isolated (any Actor)? = #isolation,
                                 onInterrupt: @escaping @Sendable () -> Void,
                                 _ body: () async -> R) async -> R {
        interruptHandler.withLock { $0 = onInterrupt }
        defer { interruptHandler.withLock { $0 = nil } }
        return await body()
    }

    private static func handle(_ sig: Int32) {
        if sig == SIGINT, let h = interruptHandler.withLock({ $0 }) {
            h()
            return
        }
        Task.detached {
            await OpenConnections.closeAllAtExit()
            signal(sig, SIG_DFL)
            raise(sig)
        }
    }
}
