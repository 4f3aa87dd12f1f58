#if arch(x86_64) || arch(i386)
import CGlibc
#endif

/// The CPUID leaves of the host CPU, read the way libvirt reads them: every
/// leaf of the basic range (0 up to leaf 0's eax) and of the extended range
/// (0x80000000 up to its eax), with the sub-leaves each leaf defines.
///
/// libvirt: `cpuidSet` and the `cpuidSetLeaf*` functions
/// (src/cpu/cpu_x86.c).
public enum HostCPUID {
    /// What one CPUID instruction returns.
    public typealias Registers = (eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32)
    /// One CPUID instruction: leaf (eax in), sub-leaf (ecx in).
    public typealias Call = (_ leaf: UInt32, _ subleaf: UInt32) -> Registers

    /// libvirt: `CPUX86_BASIC`.
    public static let basic: UInt32 = 0
    /// libvirt: `CPUX86_EXTENDED`.
    public static let extended: UInt32 = 0x8000_0000

    #if arch(x86_64) || arch(i386)
    /// The CPUID instruction on the CPU this thread runs on.
    ///
    /// libvirt: `virHostCPUX86GetCPUID`.
    public static func instruction(_ leaf: UInt32, _ subleaf: UInt32) -> Registers {
        var eax: UInt32 = 0, ebx: UInt32 = 0, ecx: UInt32 = 0, edx: UInt32 = 0
        cglibc_cpuid(leaf, subleaf, &eax, &ebx, &ecx, &edx)
        return (eax, ebx, ecx, edx)
    }

    /// The host's CPUID data, both ranges.
    ///
    /// libvirt: `cpuidSet(CPUX86_BASIC, data)`, `cpuidSet(CPUX86_EXTENDED,
    /// data)` in `virCPUx86GetHost`.
    public static func host() -> CPUx86Data {
        read(using: instruction)
    }
    #endif

    /// Both ranges through `cpuid` (the instruction, or a recording).
    public static func read(using cpuid: Call) -> CPUx86Data {
        var data = CPUx86Data()
        set(base: basic, into: &data, cpuid)
        set(base: extended, into: &data, cpuid)
        return data
    }

    private static func call(_ cpuid: Call, _ leaf: UInt32, _ subleaf: UInt32) -> CPUx86DataItem {
        let r = cpuid(leaf, subleaf)
        return .cpuid(eaxIn: leaf, ecxIn: subleaf, eax: r.eax, ebx: r.ebx, ecx: r.ecx, edx: r.edx)
    }

    /// One range: from `base` to the highest leaf `base` reports.
    ///
    /// libvirt: `cpuidSet`.
    static func set(base: UInt32, into data: inout CPUx86Data, _ cpuid: Call) {
        let max = cpuid(base, 0).eax
        var leaf = base
        while leaf <= max {
            let sub0 = call(cpuid, leaf, 0)
            switch leaf {
            case 0x4: setLeaf4(sub0, &data, cpuid)
            case 0x7: setLeaf7(sub0, &data, cpuid)
            case 0xb: setLeafB(sub0, &data, cpuid)
            case 0xd: setLeafD(sub0, &data, cpuid)
            case 0xf: setLeafResID(sub0, res: sub0.edx, &data, cpuid)
            case 0x10: setLeafResID(sub0, res: sub0.ebx, &data, cpuid)
            case 0x12: setLeaf12(sub0, &data, cpuid)
            case 0x14: setLeaf14(sub0, &data, cpuid)
            case 0x17: setLeaf17(sub0, &data, cpuid)
            default: data.addItem(sub0)
            }
            if leaf == UInt32.max { break }
            leaf += 1
        }
    }

    /// Deterministic cache parameters: sub-leaves up to and including the
    /// first whose eax[4:0] is 0.
    ///
    /// libvirt: `cpuidSetLeaf4`.
    static func setLeaf4(_ sub0: CPUx86DataItem, _ data: inout CPUx86Data, _ cpuid: Call) {
        data.addItem(sub0)
        var item = sub0
        var sub: UInt32 = 0
        while item.eax & 0x1f != 0 && sub < UInt32.max {
            sub += 1
            item = call(cpuid, 0x4, sub)
            data.addItem(item)
        }
    }

    /// Structured extended features: sub-leaves 1 to sub-leaf 0's eax.
    ///
    /// libvirt: `cpuidSetLeaf7`.
    static func setLeaf7(_ sub0: CPUx86DataItem, _ data: inout CPUx86Data, _ cpuid: Call) {
        data.addItem(sub0)
        addSubleaves(0x7, 1, through: sub0.eax, &data, cpuid)
    }

    /// Extended topology: sub-leaves as long as ecx[15:8] is not 0 (sub-leaf
    /// 0 included only then).
    ///
    /// libvirt: `cpuidSetLeafB`.
    static func setLeafB(_ sub0: CPUx86DataItem, _ data: inout CPUx86Data, _ cpuid: Call) {
        var item = sub0
        var sub: UInt32 = 0
        while item.ecx & 0xff00 != 0 {
            data.addItem(item)
            if sub == UInt32.max { break }
            sub += 1
            item = call(cpuid, 0xb, sub)
        }
    }

    /// Processor extended state: sub-leaves 0 and 1, and n (2-63) when bit n
    /// of sub-leaf 0's edx:eax or of sub-leaf 1's edx:ecx is set.
    ///
    /// libvirt: `cpuidSetLeafD`.
    static func setLeafD(_ sub0: CPUx86DataItem, _ data: inout CPUx86Data, _ cpuid: Call) {
        data.addItem(sub0)
        let sub1 = call(cpuid, 0xd, 1)
        data.addItem(sub1)
        for sub: UInt32 in 2..<64 {
            if sub < 32 && sub0.eax & (1 << sub) == 0 && sub1.ecx & (1 << sub) == 0 { continue }
            if sub >= 32 && sub0.edx & (1 << (sub - 32)) == 0 && sub1.edx & (1 << (sub - 32)) == 0 { continue }
            data.addItem(call(cpuid, 0xd, sub))
        }
    }

    /// RDT monitoring (0xf) and allocation (0x10): sub-leaf n (1-31) when
    /// bit n of `res` (sub-leaf 0's edx, or ebx) is set.
    ///
    /// libvirt: `cpuidSetLeafResID`.
    static func setLeafResID(_ sub0: CPUx86DataItem, res: UInt32, _ data: inout CPUx86Data, _ cpuid: Call) {
        data.addItem(sub0)
        guard case .cpuid(let leaf, _) = sub0.key else { return }
        for sub: UInt32 in 1..<32 where res & (1 << sub) != 0 {
            data.addItem(call(cpuid, leaf, sub))
        }
    }

    /// SGX: nothing unless leaf 7 has SGX (ebx bit 2); then sub-leaves 0
    /// and 1, and from 2 on as long as eax[3:0] is not 0.
    ///
    /// libvirt: `cpuidSetLeaf12`.
    static func setLeaf12(_ sub0: CPUx86DataItem, _ data: inout CPUx86Data, _ cpuid: Call) {
        guard let leaf7 = data[.cpuid(eaxIn: 0x7, ecxIn: 0)], leaf7.ebx & (1 << 2) != 0 else { return }
        data.addItem(sub0)
        data.addItem(call(cpuid, 0x12, 1))
        var sub: UInt32 = 2
        var item = call(cpuid, 0x12, sub)
        while item.eax & 0xf != 0 {
            data.addItem(item)
            if sub == UInt32.max { break }
            sub += 1
            item = call(cpuid, 0x12, sub)
        }
    }

    /// Processor trace: sub-leaves 1 to sub-leaf 0's eax.
    ///
    /// libvirt: `cpuidSetLeaf14`.
    static func setLeaf14(_ sub0: CPUx86DataItem, _ data: inout CPUx86Data, _ cpuid: Call) {
        data.addItem(sub0)
        addSubleaves(0x14, 1, through: sub0.eax, &data, cpuid)
    }

    /// SoC vendor: nothing unless sub-leaf 0's eax is at least 3; then
    /// sub-leaves 0 to its eax.
    ///
    /// libvirt: `cpuidSetLeaf17`.
    static func setLeaf17(_ sub0: CPUx86DataItem, _ data: inout CPUx86Data, _ cpuid: Call) {
        guard sub0.eax >= 3 else { return }
        data.addItem(sub0)
        addSubleaves(0x17, 1, through: sub0.eax, &data, cpuid)
    }

    private static func addSubleaves(_ leaf: UInt32, _ first: UInt32, through last: UInt32,
                                     _ data: inout CPUx86Data, _ cpuid: Call) {
        guard first <= last else { return }
        for sub in first...last {
            data.addItem(call(cpuid, leaf, sub))
        }
    }
}
