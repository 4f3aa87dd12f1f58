import Foundation
import Glibc

/// Time, as the driver needs it.
///
/// libvirt: src/util/virtime.c.
public enum VirTime {
    /// Milliseconds since the epoch, the time job statistics are stamped
    /// with (libvirt reports them so).
    ///
    /// libvirt: `virTimeMillisNow`.
    public static func millisNow() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }

    /// Now, as libvirt stamps its log lines and virsh its events:
    /// `2026-12-02 19:00:00.000+0000` (UTC, milliseconds).
    ///
    /// libvirt: `virTimeStringNowRaw`.
    public static func stringNowRaw() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = time_t(ts.tv_sec)
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d.%03d+0000", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday),
                      Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec), Int(ts.tv_nsec / 1_000_000))
    }

    /// Waits `duration` in a polling loop. Cancellation is not an error
    /// here: a cancelled task stops waiting early, and a caller for which
    /// that matters checks `Task.isCancelled` after.
    public static func pause(_ duration: Duration) async {
        do { try await Task.sleep(for: duration) } catch { return }
    }

    /// Checks `condition` every `interval` until it holds or `timeout`
    /// passes (it is checked once more at the end).
    /// - Returns: whether it held.
    public static func poll(timeout: Duration, every interval: Duration = .milliseconds(5),
                            _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            await pause(interval)
        }
        return condition()
    }
}
