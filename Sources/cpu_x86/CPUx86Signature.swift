/// A family/model a CPU model of the map was made for, optionally limited
/// to some steppings.
///
/// libvirt: `virCPUx86Signature` (src/cpu/cpu_x86.c).
public struct CPUx86Signature: Hashable, Sendable {
    public let family: UInt32
    public let model: UInt32
    /// The steppings (bits 0-15) the signature covers; `nil` for all.
    public let steppings: UInt16?

    public init(family: UInt32, model: UInt32, steppings: UInt16? = nil) {
        self.family = family
        self.model = model
        self.steppings = steppings
    }

    /// The signature covers a CPU of that family, model and stepping.
    ///
    /// libvirt: one step of `virCPUx86SignaturesMatch`.
    public func matches(family: UInt32, model: UInt32, stepping: UInt32) -> Bool {
        guard self.family == family, self.model == model else { return false }
        guard let steppings else { return true }
        return stepping < 16 && steppings & (1 << UInt16(stepping)) != 0
    }
}
