/// One item of x86 CPU data: the registers a CPUID leaf and sub-leaf
/// returns, or the two halves of an MSR.
///
/// The same type describes what a CPU has and what a feature, a vendor or
/// a model asks for (its registers then are a mask of the bits it needs).
///
/// libvirt: `virCPUx86DataItem` (`virCPUx86CPUID`, `virCPUx86MSR`,
/// src/cpu/cpu_x86_data.h).
public struct CPUx86DataItem: Hashable, Sendable {
    /// Which leaf (and sub-leaf) or MSR the registers belong to. Ordered as
    /// libvirt sorts data: every CPUID item before every MSR, CPUID items
    /// by `eax_in` then `ecx_in`, MSRs by index.
    ///
    /// libvirt: `virCPUx86DataSorter`.
    public enum Key: Hashable, Comparable, Sendable {
        case cpuid(eaxIn: UInt32, ecxIn: UInt32)
        case msr(index: UInt32)
    }

    public var key: Key
    public var eax: UInt32
    /// Always 0 for an MSR.
    public var ebx: UInt32
    /// Always 0 for an MSR.
    public var ecx: UInt32
    public var edx: UInt32

    /// A CPUID item.
    public static func cpuid(eaxIn: UInt32, ecxIn: UInt32 = 0, eax: UInt32 = 0, ebx: UInt32 = 0,
                             ecx: UInt32 = 0, edx: UInt32 = 0) -> CPUx86DataItem {
        CPUx86DataItem(key: .cpuid(eaxIn: eaxIn, ecxIn: ecxIn), eax: eax, ebx: ebx, ecx: ecx, edx: edx)
    }

    /// An MSR item: `eax` the low 32 bits, `edx` the high ones.
    public static func msr(index: UInt32, eax: UInt32 = 0, edx: UInt32 = 0) -> CPUx86DataItem {
        CPUx86DataItem(key: .msr(index: index), eax: eax, ebx: 0, ecx: 0, edx: edx)
    }

    private init(key: Key, eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32) {
        self.key = key
        self.eax = eax
        self.ebx = ebx
        self.ecx = ecx
        self.edx = edx
    }

    /// No bit set: an item data iteration skips.
    ///
    /// libvirt: `virCPUx86DataItemMatch` against the zero item, as
    /// `virCPUx86DataNext` uses it.
    public var isZero: Bool { eax == 0 && ebx == 0 && ecx == 0 && edx == 0 }

    /// Every bit of `mask` is set here.
    ///
    /// libvirt: `virCPUx86DataItemMatchMasked`.
    public func contains(_ mask: CPUx86DataItem) -> Bool {
        eax & mask.eax == mask.eax && ebx & mask.ebx == mask.ebx
            && ecx & mask.ecx == mask.ecx && edx & mask.edx == mask.edx
    }

    /// Sets the bits of `mask`.
    ///
    /// libvirt: `virCPUx86DataItemSetBits`.
    public mutating func setBits(_ mask: CPUx86DataItem) {
        eax |= mask.eax
        ebx |= mask.ebx
        ecx |= mask.ecx
        edx |= mask.edx
    }

    /// Clears the bits of `mask`.
    ///
    /// libvirt: `virCPUx86DataItemClearBits`.
    public mutating func clearBits(_ mask: CPUx86DataItem) {
        eax &= ~mask.eax
        ebx &= ~mask.ebx
        ecx &= ~mask.ecx
        edx &= ~mask.edx
    }
}
