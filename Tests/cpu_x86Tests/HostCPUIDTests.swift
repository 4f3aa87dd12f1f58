import Synchronization
import Testing
@testable import cpu_x86

/// cpuidSet's leaves and sub-leaves, on a CPU made of a table.
@Suite struct HostCPUIDTests {
    /// CPUID answers by (leaf, sub-leaf); anything else is all zero. Records
    /// what was asked.
    final class FakeCPU: Sendable {
        let table: [UInt64: HostCPUID.Registers]
        let asked = Mutex<[(UInt32, UInt32)]>([])

        init(_ entries: [(UInt32, UInt32, HostCPUID.Registers)]) {
            var table: [UInt64: HostCPUID.Registers] = [:]
            for (leaf, sub, regs) in entries { table[UInt64(leaf) << 32 | UInt64(sub)] = regs }
            self.table = table
        }

        func cpuid(_ leaf: UInt32, _ sub: UInt32) -> HostCPUID.Registers {
            asked.withLock { $0.append((leaf, sub)) }
            return table[UInt64(leaf) << 32 | UInt64(sub)] ?? (0, 0, 0, 0)
        }
    }

    static func keys(_ data: CPUx86Data, leaf: UInt32) -> [UInt32] {
        data.items.compactMap {
            if case .cpuid(let l, let sub) = $0.key, l == leaf { return sub }
            return nil
        }
    }

    @Test func subleavesFollowEachLeafsRule() {
        let cpu = FakeCPU([
            (0x0, 0, (0x17, 0x6874_7541, 0x444d_4163, 0x6974_6e65)),
            (0x1, 0, (0x00a0_0f11, 0, 0x1, 0x2)),
            (0x1, 1, (0xdead, 0, 0, 0)),                // leaf 1 has no sub-leaves
            // Leaf 4: up to and including the first with eax[4:0] == 0.
            (0x4, 0, (0x21, 0, 0, 0)), (0x4, 1, (0x22, 0, 0, 0)), (0x4, 2, (0x0, 0, 0, 7)), (0x4, 3, (0x23, 0, 0, 0)),
            // Leaf 7: sub-leaves 1 to sub-leaf 0's eax; SGX off (ebx bit 2).
            (0x7, 0, (0x1, 0x1, 0, 0)), (0x7, 1, (0x10, 0, 0, 0)), (0x7, 2, (0x99, 0, 0, 0)),
            // Leaf 0xb: while ecx[15:8] != 0, the last one not kept.
            (0xb, 0, (1, 2, 0x100, 0)), (0xb, 1, (4, 4, 0x201, 0)), (0xb, 2, (9, 9, 0x2, 0)),
            // Leaf 0xd: 0 and 1, then bits of sub0 eax / sub1 ecx (2-31) and
            // sub0 edx / sub1 edx (32-63).
            (0xd, 0, (0b101, 0, 0, 0x1)), (0xd, 1, (0xf, 0, 1 << 8, 1 << 1)),
            (0xd, 2, (1, 0, 0, 0)), (0xd, 3, (1, 0, 0, 0)), (0xd, 8, (1, 0, 0, 0)), (0xd, 32, (1, 0, 0, 0)), (0xd, 33, (1, 0, 0, 0)),
            // Leaf 0xf: sub-leaves for the bits of sub0's edx; 0x10: of its ebx.
            (0xf, 0, (0, 0, 0, 0b10)), (0xf, 1, (1, 1, 1, 1)), (0xf, 2, (2, 2, 2, 2)),
            (0x10, 0, (0, 0b1100, 0, 0b10)), (0x10, 2, (3, 0, 0, 0)), (0x10, 3, (3, 0, 0, 0)),
            // Leaf 0x12: nothing without SGX.
            (0x12, 0, (1, 1, 1, 1)), (0x12, 1, (1, 1, 1, 1)),
            // Leaf 0x14: sub-leaves to sub0's eax.
            (0x14, 0, (2, 0, 0, 0)), (0x14, 1, (5, 0, 0, 0)), (0x14, 2, (6, 0, 0, 0)),
            // Leaf 0x17: nothing when sub0's eax < 3.
            (0x17, 0, (2, 1, 1, 1)), (0x17, 1, (1, 1, 1, 1)),
            (0x8000_0000, 0, (0x8000_0008, 0, 0, 0)),
            (0x8000_0001, 0, (0, 0, 0x1, 0x2)),
            (0x8000_0008, 0, (0x3030, 0, 0, 0)),
        ])
        let data = HostCPUID.read(using: cpu.cpuid)
        #expect(Self.keys(data, leaf: 0x1) == [0])
        #expect(data[.cpuid(eaxIn: 0x1, ecxIn: 0)] == .cpuid(eaxIn: 1, eax: 0x00a0_0f11, ecx: 1, edx: 2))
        #expect(Self.keys(data, leaf: 0x4) == [0, 1, 2])
        #expect(Self.keys(data, leaf: 0x7) == [0, 1])
        #expect(Self.keys(data, leaf: 0xb) == [0, 1])
        #expect(Self.keys(data, leaf: 0xd) == [0, 1, 2, 8, 32, 33])
        #expect(Self.keys(data, leaf: 0xf) == [0, 1])
        #expect(Self.keys(data, leaf: 0x10) == [0, 2, 3])
        #expect(Self.keys(data, leaf: 0x12) == [])
        #expect(Self.keys(data, leaf: 0x14) == [0, 1, 2])
        #expect(Self.keys(data, leaf: 0x17) == [])
        // Every basic leaf up to 0x17 is there (zero ones too), none beyond.
        #expect(Self.keys(data, leaf: 0x2) == [0])
        #expect(Self.keys(data, leaf: 0x18) == [])
        // The extended range up to 0x80000008.
        #expect((0x8000_0000...0x8000_0008).allSatisfy { data[.cpuid(eaxIn: $0, ecxIn: 0)] != nil })
        #expect(data[.cpuid(eaxIn: 0x8000_0009, ecxIn: 0)] == nil)
        #expect(data[.cpuid(eaxIn: 0x8000_0008, ecxIn: 0)]?.eax == 0x3030)
        #expect(!cpu.asked.withLock { $0.contains { $0 == (0x1, 1) } })
    }

    @Test func sgxLeafWithSGX() {
        let cpu = FakeCPU([
            (0x0, 0, (0x12, 0, 0, 0)),
            (0x7, 0, (0, 1 << 2, 0, 0)),
            (0x12, 0, (1, 0, 0, 0)), (0x12, 1, (0, 0, 0, 0)),
            // From 2 on while eax[3:0] != 0.
            (0x12, 2, (0x1, 0, 0, 0)), (0x12, 3, (0x1, 0, 0, 0)), (0x12, 4, (0x10, 0, 0, 0)), (0x12, 5, (0x1, 0, 0, 0)),
        ])
        let data = HostCPUID.read(using: cpu.cpuid)
        #expect(Self.keys(data, leaf: 0x12) == [0, 1, 2, 3])
    }

    @Test func socVendorLeafFromEax3() {
        let cpu = FakeCPU([
            (0x0, 0, (0x17, 0, 0, 0)),
            (0x17, 0, (3, 0, 0, 0)), (0x17, 3, (7, 0, 0, 0)),
        ])
        let data = HostCPUID.read(using: cpu.cpuid)
        #expect(Self.keys(data, leaf: 0x17) == [0, 1, 2, 3])
    }

    /// Extended leaves below 0x80000000 (a CPU without them echoing a basic
    /// leaf) read nothing more.
    @Test func noExtendedRange() {
        let cpu = FakeCPU([(0x0, 0, (0x1, 0, 0, 0)), (0x8000_0000, 0, (0x1, 0, 0, 0))])
        let data = HostCPUID.read(using: cpu.cpuid)
        #expect(data.items.map(\.key) == [.cpuid(eaxIn: 0, ecxIn: 0), .cpuid(eaxIn: 1, ecxIn: 0)])
    }
}
