/// The host's TSC as KVM reports it.
///
/// libvirt: `virHostCPUTscInfo` (src/util/virhostcpu.h).
public struct VirHostCPUTscInfo: Hashable, Sendable {
    /// Hz.
    public var frequency: UInt64
    /// Whether KVM can scale a guest's TSC (`scaling='yes'`/`'no'`); `nil`
    /// when unknown (no `scaling` attribute).
    public var scaling: Bool?

    public init(frequency: UInt64, scaling: Bool?) {
        self.frequency = frequency
        self.scaling = scaling
    }
}
