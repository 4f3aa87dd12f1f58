import qemu_monitor

/// A CPU model an emulator offers, as `query-cpu-definitions` reports it
/// under one accelerator.
///
/// libvirt: `qemuMonitorCPUDefInfo` (src/qemu/qemu_monitor.h).
public struct QemuCPUModel: Sendable, Hashable {
    public let name: String
    /// The accelerator can run it on this host: QEMU lists no
    /// `unavailable-features`. `nil` when QEMU does not say.
    public let usable: Bool?

    public init(name: String, usable: Bool?) {
        self.name = name
        self.usable = usable
    }

    /// The entries of a `query-cpu-definitions` reply, in QEMU's order.
    static func list(_ reply: [JSONValue]) -> [QemuCPUModel] {
        reply.compactMap { d in
            guard let name = d["name"]?.stringValue else { return nil }
            return QemuCPUModel(name: name, usable: d["unavailable-features"]?.arrayValue.map(\.isEmpty))
        }
    }
}
