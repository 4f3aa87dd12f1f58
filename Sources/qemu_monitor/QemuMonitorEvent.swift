/// An asynchronous QMP event (`{"event": NAME, "data": {...}, "timestamp": {...}}`).
///
/// libvirt: `qemuMonitorJSONIOProcessEvent` and `qemuMonitorEmitEvent`.
public struct QemuMonitorEvent: Sendable, Hashable {
    /// When QEMU emitted the event (its `timestamp` member).
    public struct Timestamp: Sendable, Hashable {
        public let seconds: Int64
        public let microseconds: UInt32

        public init(seconds: Int64, microseconds: UInt32) {
            self.seconds = seconds
            self.microseconds = microseconds
        }

        /// QEMU stamps events with the host's real-time clock.
        public var millisecondsSinceEpoch: UInt64 {
            UInt64(max(seconds, 0)) * 1000 + UInt64(microseconds / 1000)
        }
    }

    /// The event's name, e.g. `STOP`, `RESUME`, `SHUTDOWN`, `MIGRATION`.
    public let name: String
    /// The event's `data` member; `.null` when QEMU sent none.
    public let data: JSONValue
    /// QEMU's timestamp; `nil` when it was missing or malformed (libvirt then uses -1).
    public let timestamp: Timestamp?

    public init(name: String, data: JSONValue = .null, timestamp: Timestamp? = nil) {
        self.name = name
        self.data = data
        self.timestamp = timestamp
    }

    /// Reads an event line's object; `nil` when it has no string `event` member.
    init?(qmp object: JSONValue) {
        guard let name = object["event"]?.stringValue else { return nil }
        self.name = name
        self.data = object["data"] ?? .null
        if let ts = object["timestamp"],
           let seconds = ts["seconds"]?.int64Value,
           let micros = ts["microseconds"]?.uint64Value.flatMap({ UInt32(exactly: $0) }) {
            self.timestamp = Timestamp(seconds: seconds, microseconds: micros)
        } else {
            self.timestamp = nil
        }
    }
}
