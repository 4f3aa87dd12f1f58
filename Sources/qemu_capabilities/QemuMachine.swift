/// One machine type an emulator offers, as `query-machines` reports it.
///
/// libvirt: `virQEMUCapsMachineType` (src/qemu/qemu_capabilities.c).
public struct QemuMachine: Sendable, Hashable {
    /// The versioned name (`pc-i440fx-7.2`).
    public let name: String
    /// The alias that resolves to it (`pc`, `q35`), if any.
    public let alias: String?
    /// The machine QEMU uses when none is given.
    public let isDefault: Bool
    public let deprecated: Bool
    /// The most vCPUs it takes (`cpu-max`); 0 when QEMU does not say.
    public let maxCpus: Int

    public init(name: String, alias: String? = nil, isDefault: Bool = false, deprecated: Bool = false, maxCpus: Int = 0) {
        self.name = name
        self.alias = alias
        self.isDefault = isDefault
        self.deprecated = deprecated
        self.maxCpus = maxCpus
    }
}
