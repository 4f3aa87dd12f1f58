import Synchronization

/// A wake-up for tasks that wait for state another thread changes (a QMP
/// event read on a monitor's reader thread): a waiter reads `generation`,
/// checks its state, and waits until a `broadcast()` after that generation
/// or a timeout, whichever comes first. A broadcast between the check and
/// the wait is not lost.
///
/// libvirt: `virCond` as `virDomainObjWait` / `virDomainObjBroadcast` use it.
public final class VirCondition: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        /// Timeouts that fired before their waiter was registered.
        var expired: Set<UInt64> = []
        /// Waits under way.
        var pending: Set<UInt64> = []
    }
    private let state = Mutex(State())

    public init() {}

    /// Counts broadcasts.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// Wakes every waiter.
    ///
    /// libvirt: `virDomainObjBroadcast`.
    public func broadcast() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.generation &+= 1
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for w in waiters { w.resume() }
    }

    /// Returns once a broadcast after `generation` happened, or after
    /// `timeout` (the caller looks again either way).
    ///
    /// libvirt: `virDomainObjWaitUntil`.
    public func wait(since generation: UInt64, timeout: Duration) async {
        let id = state.withLock { s -> UInt64 in
            defer { s.nextWaiter &+= 1 }
            s.pending.insert(s.nextWaiter)
            return s.nextWaiter
        }
        let timer = Task { [weak self] in
            do { try await Task.sleep(for: timeout) } catch { return }
            self?.expire(id)
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.generation != generation || s.expired.remove(id) != nil { return true }
                s.waiters[id] = c
                return false
            }
            if now { c.resume() }
        }
        timer.cancel()
        state.withLock { s in
            s.pending.remove(id)
            s.expired.remove(id)
        }
    }

    private func expire(_ id: UInt64) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if let w = s.waiters.removeValue(forKey: id) { return w }
            if s.pending.contains(id) { s.expired.insert(id) }
            return nil
        }
        waiter?.resume()
    }
}
