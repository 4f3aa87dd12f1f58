extension QemuMonitor {
    /// The memory the balloon leaves the guest, in KiB; `nil` without an
    /// active balloon (`DeviceNotActive`, `KVMMissingCap`).
    ///
    /// libvirt: `qemuMonitorJSONGetBalloonInfo`.
    public func queryBalloon(timeout: Duration = .seconds(60)) async throws(QemuMonitorError) -> UInt64? {
        let reply: JSONValue
        do {
            reply = try await execute("query-balloon", timeout: timeout)
        } catch where error.qmpClass == "DeviceNotActive" || error.qmpClass == "KVMMissingCap" {
            return nil
        }
        guard let actual = reply["actual"]?.uint64Value else {
            throw QemuMonitorError(.internalError, "info balloon reply was missing 'actual'")
        }
        return actual / 1024
    }

    /// The guest's own statistics from the balloon device at `path` (QOM,
    /// `guest-stats`), as libvirt names them: `virDomainMemoryStatTags`
    /// numbers and values, in KiB except for counts and the time, in
    /// libvirt's order; empty while the guest has not reported any (no
    /// driver, no polling interval), values the guest does not collect
    /// left out.
    ///
    /// libvirt: `qemuMonitorJSONGetMemoryStats`.
    public func guestMemoryStats(path: String, timeout: Duration = .seconds(60)) async throws(QemuMonitorError) -> [(tag: Int32, value: UInt64)] {
        let reply: JSONValue
        do {
            reply = try await execute("qom-get", ["path": .string(path), "property": .string("guest-stats")], timeout: timeout)
        } catch where error.qmpClass == "GenericError" {
            // "guest hasn't updated any stats yet"
            return []
        }
        let stats = reply["stats"]
        // (source, key, tag, divisor), in libvirt's order.
        let fields: [(JSONValue?, String, Int32, UInt64)] = [
            (stats, "stat-swap-in", 0, 1024), (stats, "stat-swap-out", 1, 1024), (stats, "stat-major-faults", 2, 1),
            (stats, "stat-minor-faults", 3, 1), (stats, "stat-free-memory", 4, 1024), (stats, "stat-total-memory", 5, 1024),
            (stats, "stat-available-memory", 8, 1024), (reply, "last-update", 9, 1), (stats, "stat-disk-caches", 10, 1024),
            (stats, "stat-htlb-pgalloc", 11, 1), (stats, "stat-htlb-pgfail", 12, 1),
        ]
        var out: [(tag: Int32, value: UInt64)] = []
        for (source, key, tag, divisor) in fields {
            // -1 (as QEMU writes it, 2^64 - 1): not collected.
            guard let n = source?[key]?.uint64Value, n != UInt64.max else { continue }
            out.append((tag, n / divisor))
        }
        return out
    }
}
