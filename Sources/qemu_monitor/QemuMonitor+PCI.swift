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
    /// The devices of every root bus (`query-pci`; devices behind bridges
    /// are not listed: this driver runs none).
    public func queryPCI(timeout: Duration = .seconds(60)) async throws(QemuMonitorError) -> [QemuMonitorPCIDevice] {
        let reply = try await execute("query-pci", timeout: timeout)
        guard case .array(let buses) = reply else {
            throw QemuMonitorError(.internalError, "query-pci reply was not an array")
        }
        var out: [QemuMonitorPCIDevice] = []
        for bus in buses {
            guard case .array(let devices)? = bus["devices"] else { continue }
            for d in devices {
                guard let b = d["bus"]?.intValue, let s = d["slot"]?.intValue, let f = d["function"]?.intValue else {
                    throw QemuMonitorError(.internalError, "query-pci reply has a device without bus, slot or function")
                }
                out.append(QemuMonitorPCIDevice(bus: b, slot: s, function: f, qdevID: d["qdev_id"]?.stringValue ?? "",
                                                vendorID: d["id"]?["vendor"]?.intValue ?? -1,
                                                deviceID: d["id"]?["device"]?.intValue ?? -1))
            }
        }
        return out
    }
}
