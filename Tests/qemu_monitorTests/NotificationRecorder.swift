import TestSupport
import Foundation
import Synchronization
import qemu_monitor

/// Collects a monitor's notifications (from the stream or the handler) and
/// lets a test wait for one with a deadline.
final class NotificationRecorder: Sendable {
    private let items = Mutex<[(QemuMonitorNotification, ContinuousClock.Instant)]>([])

    func record(_ notification: QemuMonitorNotification) {
        let now = ContinuousClock.now
        items.withLock { $0.append((notification, now)) }
    }

    /// Consumes `monitor.events` in a background task.
    @discardableResult
    func follow(_ stream: AsyncStream<QemuMonitorNotification>) -> Task<Void, Never> {
        Task {
            for await n in stream { self.record(n) }
        }
    }

    var all: [QemuMonitorNotification] { items.withLock { $0.map(\.0) } }

    /// The first recorded notification matching `predicate` and when it came,
    /// waiting up to `timeout`.
    func wait(timeout: Duration = Wait.defaultTimeout,
              for predicate: (QemuMonitorNotification) -> Bool) async -> (QemuMonitorNotification, ContinuousClock.Instant)? {
        var hit: (QemuMonitorNotification, ContinuousClock.Instant)?
        _ = await Wait.until(timeout: timeout, every: .milliseconds(5)) {
            hit = items.withLock { $0.first { predicate($0.0) } }
            return hit != nil
        }
        return hit
    }

    /// Waits up to `timeout` until `count` events called `name` were recorded.
    func events(named name: String, count: Int, timeout: Duration = Wait.defaultTimeout) async -> Bool {
        await Wait.until(timeout: timeout, every: .milliseconds(5)) { all.filter({ $0.event?.name == name }).count >= count }
    }

    func event(named name: String, timeout: Duration = Wait.defaultTimeout) async -> QemuMonitorEvent? {
        await wait(timeout: timeout) { $0.event?.name == name }?.0.event
    }

    func closed(timeout: Duration = .seconds(10)) async -> (QemuMonitorError?, ContinuousClock.Instant)? {
        guard let (n, at) = await wait(timeout: timeout, for: { $0.isClosed }),
              case .closed(let reason) = n else { return nil }
        return (reason, at)
    }
}
