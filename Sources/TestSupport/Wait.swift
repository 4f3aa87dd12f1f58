import Foundation
import virutil

/// Waiting for a condition with a generous bound, instead of reading state
/// at one instant or asserting how long something took: the suite runs on
/// busy machines (CI, `make test-under-load`). How fast something happens
/// is for the benchmarks to print.
public enum Wait {
    /// The default bound: long enough for a loaded 2-core machine, short
    /// enough that a real failure still ends the test.
    public static let defaultTimeout: Duration = .seconds(30)

    /// Polls `condition` until it holds or `timeout` passes.
    /// - Returns: whether it held.
    public static func until(timeout: Duration = defaultTimeout, every interval: Duration = .milliseconds(10),
                             _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try await condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            await VirTime.pause(interval)
        }
    }

    /// The same, blocking the calling thread (for code that is not async).
    public static func untilBlocking(timeout: Duration = defaultTimeout, every interval: Duration = .milliseconds(10),
                                     _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            let (s, attos) = interval.components
            usleep(useconds_t(s * 1_000_000 + attos / 1_000_000_000_000))
        }
    }
}
