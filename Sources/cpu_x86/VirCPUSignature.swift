/// A CPU's family, model and stepping as CPUID leaf 1 gives them (extended
/// family and model added in).
///
/// libvirt: `virCPUDef.sigFamily`, `sigModel`, `sigStepping`
/// (src/conf/cpu_conf.h).
public struct VirCPUSignature: Hashable, Sendable {
    public var family: UInt32
    public var model: UInt32
    public var stepping: UInt32

    public init(family: UInt32, model: UInt32, stepping: UInt32) {
        self.family = family
        self.model = model
        self.stepping = stepping
    }
}
