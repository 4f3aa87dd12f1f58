/// What a monitor tells its owner, in the order it happened: QMP events, then
/// exactly one `.closed` when the connection is over.
///
/// `.closed(nil)` means the owner called `QemuMonitor.close()`. `.closed(error)`
/// means the connection ended on its own: `QemuMonitorError.endOfFile` when QEMU
/// exited, crashed or was killed, or the protocol or I/O error that made the
/// client give up. By the time `.closed` is delivered every pending command has
/// already failed with the same error.
///
/// libvirt: the monitor callbacks `domainEvent`/`eofNotify`/`errorNotify`
/// (`qemuMonitorCallbacks`).
public enum QemuMonitorNotification: Sendable, Hashable {
    case event(QemuMonitorEvent)
    case closed(QemuMonitorError?)

    /// The event, when this is one.
    public var event: QemuMonitorEvent? {
        if case .event(let e) = self { return e }
        return nil
    }

    /// Whether this is the final `.closed` notification.
    public var isClosed: Bool {
        if case .closed = self { return true }
        return false
    }
}
