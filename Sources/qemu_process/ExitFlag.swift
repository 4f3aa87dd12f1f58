import Synchronization
import virutil

/// Set once when a child process exits, with its `waitpid` status.
final class ExitFlag: Sendable {
    private struct State {
        var status: Int32?
        var waiters: [@Sendable (Int32) -> Void] = []
    }
    private let state = Mutex(State())

    var isSet: Bool { state.withLock { $0.status != nil } }

    func set(_ status: Int32) {
        let waiters = state.withLock { s -> [@Sendable (Int32) -> Void] in
            guard s.status == nil else { return [] }
            s.status = status
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w(status) }
    }

    /// Runs `body` when the flag is set (at once if it is).
    func onSet(_ body: @escaping @Sendable (Int32) -> Void) {
        let status = state.withLock { s -> Int32? in
            if let st = s.status { return st }
            s.waiters.append(body)
            return nil
        }
        if let status { body(status) }
    }

    func wait(timeout: Duration) async -> Bool {
        await VirTime.poll(timeout: timeout) { isSet }
    }
}
