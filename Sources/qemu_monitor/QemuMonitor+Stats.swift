extension QemuMonitor {
    /// The time the vCPUs spent polling before halting, successfully and
    /// not, summed over every vCPU, in nanoseconds: KVM's `halt_poll_*_ns`
    /// statistics (`query-stats`, target `vcpu`, provider `kvm`). A guest
    /// under TCG has no KVM statistics: 0 and 0.
    ///
    /// - Returns: `nil` when a vCPU's statistics lack one of the two.
    ///
    /// libvirt: `qemuDomainGetStatsCpuHaltPollTimeFromStats`.
    public func queryHaltPollTime(timeout: Duration = .seconds(60)) async throws(QemuMonitorError) -> (success: UInt64, fail: UInt64)? {
        let names = ["halt_poll_success_ns", "halt_poll_fail_ns"]
        let reply = try await execute("query-stats", [
            "target": .string("vcpu"),
            "providers": .array([.object(["provider": .string("kvm"), "names": .array(names.map(JSONValue.string))])]),
        ], timeout: timeout)
        guard case .array(let vcpus) = reply else {
            throw QemuMonitorError(.internalError, "query-stats reply was not an array")
        }
        var success: UInt64 = 0, fail: UInt64 = 0
        for vcpu in vcpus {
            var values: [String: UInt64] = [:]
            for case .object(let stat) in vcpu["stats"]?.arrayValue ?? [] {
                if let name = stat["name"]?.stringValue, let value = stat["value"]?.uint64Value { values[name] = value }
            }
            guard let s = values[names[0]], let f = values[names[1]] else { return nil }
            success += s
            fail += f
        }
        return (success, fail)
    }
}
