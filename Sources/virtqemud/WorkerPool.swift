import Foundation

/// How many calls the daemon runs at once, for all its clients together:
/// `max_workers` for any call, and `prio_workers` more that only
/// high-priority calls (lookups, getters, destroy) may take, so that a
/// daemon whose workers all wait on blocking calls (migrations, guest
/// agent commands) still answers `virsh list` and can destroy a guest.
/// A call that finds no free worker waits for one, and its client's
/// reader with it.
///
/// libvirt: `virThreadPool` with its priority workers (src/util/virthreadpool.c),
/// as `virNetServerDispatchNewMessage` fills it.
final class WorkerPool: @unchecked Sendable {
    /// Which kind of worker a call holds.
    enum Slot: Sendable { case normal, priority }

    private let maxWorkers: Int
    private let prioWorkers: Int
    private struct Busy { var normal = 0, priority = 0 }
    private let condition = NSCondition()
    private var busy = Busy()  // under `condition`

    init(maxWorkers: Int, prioWorkers: Int) {
        self.maxWorkers = maxWorkers
        self.prioWorkers = prioWorkers
    }

    /// Waits for a worker; a high-priority call takes a priority worker
    /// when every normal one is busy.
    func acquire(highPriority: Bool) -> Slot {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if busy.normal < maxWorkers {
                busy.normal += 1
                return .normal
            }
            if highPriority && busy.priority < prioWorkers {
                busy.priority += 1
                return .priority
            }
            condition.wait()
        }
    }

    func release(_ slot: Slot) {
        condition.lock()
        switch slot {
        case .normal: busy.normal -= 1
        case .priority: busy.priority -= 1
        }
        condition.broadcast()
        condition.unlock()
    }

    /// Workers busy now (normal, priority), for the log and the tests.
    var inUse: (normal: Int, priority: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (busy.normal, busy.priority)
    }
}
