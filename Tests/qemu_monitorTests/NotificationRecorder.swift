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
    func wait(timeout: Duration = .seconds(10),
              for predicate: (QemuMonitorNotification) -> Bool) async -> (QemuMonitorNotification, ContinuousClock.Instant)? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let hit = items.withLock({ $0.first { predicate($0.0) } }) { return hit }
            if ContinuousClock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits up to `timeout` until `count` events called `name` were recorded.
    func events(named name: String, count: Int, timeout: Duration = .seconds(10)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if all.filter({ $0.event?.name == name }).count >= count { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    func event(named name: String, timeout: Duration = .seconds(10)) async -> QemuMonitorEvent? {
        await wait(timeout: timeout) { $0.event?.name == name }?.0.event
    }

    func closed(timeout: Duration = .seconds(10)) async -> (QemuMonitorError?, ContinuousClock.Instant)? {
        guard let (n, at) = await wait(timeout: timeout, for: { $0.isClosed }),
              case .closed(let reason) = n else { return nil }
        return (reason, at)
    }
}
