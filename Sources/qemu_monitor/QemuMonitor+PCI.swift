/// A device on a guest PCI bus, as `query-pci` reports it.
public struct QemuMonitorPCIDevice: Sendable, Equatable {
    public var bus: Int
    public var slot: Int
    public var function: Int
    /// The `-device ...,id=` it was given (`net0`); empty for the
    /// machine's own devices (host bridge, PIIX3).
    public var qdevID: String
    public var vendorID: Int
    public var deviceID: Int

    public init(bus: Int, slot: Int, function: Int, qdevID: String, vendorID: Int, deviceID: Int) {
        self.bus = bus
        self.slot = slot
        self.function = function
        self.qdevID = qdevID
        self.vendorID = vendorID
        self.deviceID = deviceID
    }
}

extension QemuMonitor {
    /// Every device of every bus (`query-pci`), those behind a bridge or
    /// root port (`pci_bridge`) after it, with the bus number the guest's
    /// firmware gave that bus.
    public func queryPCI(timeout: Duration = .seconds(60)) async throws(QemuMonitorError) -> [QemuMonitorPCIDevice] {
        let reply = try await execute("query-pci", timeout: timeout)
        guard case .array(let buses) = reply else {
            throw QemuMonitorError(.internalError, "query-pci reply was not an array")
        }
        var out: [QemuMonitorPCIDevice] = []
        func walk(_ devices: JSONValue?, depth: Int) throws(QemuMonitorError) {
            guard case .array(let list)? = devices, depth < 32 else { return }
            for d in list {
                guard let b = d["bus"]?.intValue, let s = d["slot"]?.intValue, let f = d["function"]?.intValue else {
                    throw QemuMonitorError(.internalError, "query-pci reply has a device without bus, slot or function")
                }
                out.append(QemuMonitorPCIDevice(bus: b, slot: s, function: f, qdevID: d["qdev_id"]?.stringValue ?? "",
                                                vendorID: d["id"]?["vendor"]?.intValue ?? -1,
                                                deviceID: d["id"]?["device"]?.intValue ?? -1))
                try walk(d["pci_bridge"]?["devices"], depth: depth + 1)
            }
        }
        for bus in buses { try walk(bus["devices"], depth: 0) }
        return out
    }
}
