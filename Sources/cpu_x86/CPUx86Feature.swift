/// A named CPU feature of the map and the CPUID/MSR bits that make it.
///
/// libvirt: `virCPUx86Feature` (src/cpu/cpu_x86.c).
public struct CPUx86Feature: Hashable, Sendable {
    public let name: String
    public let data: CPUx86Data
    /// `false` for `migratable='no'`: the feature blocks migration.
    public let migratable: Bool

    public init(name: String, data: CPUx86Data, migratable: Bool = true) {
        self.name = name
        self.data = data
        self.migratable = migratable
    }
}
