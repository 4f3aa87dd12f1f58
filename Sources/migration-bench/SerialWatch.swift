import Foundation
import Glibc

/// Reads the guest's serial log as QEMU writes it (inotify on the file, on
/// a thread of its own) and stamps each `counter N` line with the time it
/// arrived: the pause the guest had during a migration is the longest gap
/// between two consecutive lines. With the benchmark guest's 1 kHz counter
/// the gap is measured to about a millisecond.
final class SerialWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var arrivals: [ContinuousClock.Instant] = []
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        let notify = inotify_init1(Int32(IN_CLOEXEC))
        guard notify >= 0, inotify_add_watch(notify, path, UInt32(IN_MODIFY)) >= 0 else {
            close(fd)
            throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        lseek(fd, 0, SEEK_END)
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            var events = [UInt8](repeating: 0, count: 4096)
            while isRunning {
                var p = pollfd(fd: notify, events: Int16(POLLIN), revents: 0)
                if poll(&p, 1, 50) > 0 { _ = read(notify, &events, events.count) }
                while true {
                    let n = read(fd, &buffer, buffer.count)
                    guard n > 0 else { break }
                    let now = ContinuousClock.now
                    // A line ends with "\n"; each is one counter.
                    let lines = buffer[0..<n].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
                    lock.withLock { arrivals += Array(repeating: now, count: lines) }
                }
            }
            close(fd)
            close(notify)
            done.signal()
        }
        thread.start()
    }

    private var isRunning: Bool { lock.withLock { running } }

    /// Stops reading; the longest gap between consecutive lines, in ms.
    func stop() -> Double {
        lock.withLock { running = false }
        done.wait()
        let a = lock.withLock { arrivals }
        return zip(a, a.dropFirst()).map { ms($1 - $0) }.max() ?? 0
    }
}
