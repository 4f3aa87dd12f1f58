import qemu_monitor

/// What an emulator offers under KVM, probed apart from the rest (only
/// when domain capabilities of a KVM domain are first asked): its CPU
/// models and the Hyper-V enlightenments the host CPU model sets.
///
/// libvirt: the KVM `virQEMUCapsAccel`'s `cpuModels`, and
/// `hypervCapabilities` (`virQEMUCapsProbeHypervCapabilities`).
public struct QemuKVMCaps: Sendable, Hashable {
    public var cpuModels: [QemuCPUModel]
    /// The `hv-` properties of the full expansion of `host` that are on,
    /// a positive number or a string, without the `hv-` (`spinlocks`,
    /// `vendor-id`), sorted.
    public var hypervProperties: [String]

    public init(cpuModels: [QemuCPUModel], hypervProperties: [String]) {
        self.cpuModels = cpuModels
        self.hypervProperties = hypervProperties
    }

    /// The set `hv-` properties of a `query-cpu-model-expansion` reply.
    static func hypervProperties(_ expansion: JSONValue?) -> [String] {
        guard case .object(let props)? = expansion?["model"]?["props"] else { return [] }
        return props.compactMap { name, value -> String? in
            guard name.hasPrefix("hv-") else { return nil }
            switch value {
            case .bool(let on): return on ? String(name.dropFirst(3)) : nil
            case .string: return String(name.dropFirst(3))
            default: return (value.intValue ?? 0) > 0 || (value.doubleValue ?? 0) > 0 ? String(name.dropFirst(3)) : nil
            }
        }.sorted()
    }
}
