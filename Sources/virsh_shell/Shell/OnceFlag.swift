import Synchronization

/// A flag set once, from any thread, and read by a waiting loop: a watched
/// job's call returned, Ctrl-C was pressed.
final class OnceFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}
