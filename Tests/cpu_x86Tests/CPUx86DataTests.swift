import Testing
import libvirt_abi
@testable import cpu_x86

/// libvirt's operations on x86 CPU data (x86DataAdd, x86DataSubtract,
/// x86DataIsSubset, x86DataIsEmpty, virCPUx86DataAddItem's order).
@Suite struct CPUx86DataTests {
    @Test func itemsAreKeptInLibvirtsOrderAndORedByKey() {
        let data = CPUx86Data([
            .msr(index: 0x10a, eax: 1),
            .cpuid(eaxIn: 7, ecxIn: 1, eax: 4),
            .cpuid(eaxIn: 0x8000_0001, ecx: 1),
            .cpuid(eaxIn: 7, ebx: 2),
            .cpuid(eaxIn: 1, edx: 2),
            .cpuid(eaxIn: 7, ebx: 8),
        ])
        #expect(data.items.map(\.key) == [
            .cpuid(eaxIn: 1, ecxIn: 0), .cpuid(eaxIn: 7, ecxIn: 0), .cpuid(eaxIn: 7, ecxIn: 1),
            .cpuid(eaxIn: 0x8000_0001, ecxIn: 0), .msr(index: 0x10a),
        ])
        #expect(data[.cpuid(eaxIn: 7, ecxIn: 0)]?.ebx == 0xa)
    }

    @Test func subsetNeedsEveryBitOfEveryNonZeroItem() {
        let cpu = CPUx86Data([.cpuid(eaxIn: 1, ecx: 0b1010, edx: 0xff), .cpuid(eaxIn: 7, ebx: 1)])
        #expect(cpu.contains(CPUx86Data([.cpuid(eaxIn: 1, ecx: 0b0010)])))
        #expect(cpu.contains(CPUx86Data([.cpuid(eaxIn: 1, ecx: 0b1000, edx: 0x0f), .cpuid(eaxIn: 7, ebx: 1)])))
        #expect(!cpu.contains(CPUx86Data([.cpuid(eaxIn: 1, ecx: 0b0100)])))
        // A leaf the CPU does not have.
        #expect(!cpu.contains(CPUx86Data([.cpuid(eaxIn: 7, ecxIn: 1, eax: 1)])))
        // Zero items are skipped, whether the CPU has the leaf or not.
        #expect(cpu.contains(CPUx86Data([.cpuid(eaxIn: 0xd, ecxIn: 1)])))
        #expect(cpu.contains(CPUx86Data()))
    }

    @Test func addSubtractAndEmptiness() {
        var data = CPUx86Data([.cpuid(eaxIn: 1, ecx: 0b11)])
        data.add(CPUx86Data([.cpuid(eaxIn: 1, ecx: 0b100), .msr(index: 0x10a, eax: 1, edx: 2)]))
        #expect(data[.cpuid(eaxIn: 1, ecxIn: 0)]?.ecx == 0b111)
        #expect(data[.msr(index: 0x10a)] == .msr(index: 0x10a, eax: 1, edx: 2))

        data.subtract(CPUx86Data([.cpuid(eaxIn: 1, ecx: 0b101), .cpuid(eaxIn: 2, eax: 1)]))
        #expect(data[.cpuid(eaxIn: 1, ecxIn: 0)]?.ecx == 0b010)
        // Subtracting does not add the other's leaves.
        #expect(data[.cpuid(eaxIn: 2, ecxIn: 0)] == nil)
        #expect(!data.isEmpty)

        data.subtract(CPUx86Data([.cpuid(eaxIn: 1, ecx: 0b010), .msr(index: 0x10a, eax: 1, edx: 2)]))
        #expect(data.isEmpty)
        // The items stay, zeroed.
        #expect(data.items.count == 2)
        #expect(data.nonZeroItems.isEmpty)
    }

    @Test func vendorStringIsEbxEdxEcxLittleEndian() throws {
        // The words libvirt's virHostCPUGetCPUIDFilterVolatile matches AMD with.
        let amd = try CPUx86Vendor(name: "AMD", string: "AuthenticAMD")
        #expect(amd.data == .cpuid(eaxIn: 0, ebx: 0x6874_7541, ecx: 0x444d_4163, edx: 0x6974_6e65))
        let error = #expect(throws: VirError.self) { try CPUx86Vendor(name: "X", string: "TooShort") }
        #expect(error?.message == "internal error: Invalid CPU vendor string 'TooShort'")
    }

    @Test func signaturesGoBothWays() {
        // Zen 3 (family 25 = 0xf + 0xa), model 1, stepping 1: 0x00a00f11.
        #expect(CPUx86Model.makeSignature(family: 25, model: 1, stepping: 1) == 0x00a0_0f11)
        let split = CPUx86Model.splitSignature(0x00a0_0f11)
        #expect(split.family == 25 && split.model == 1 && split.stepping == 1)
        // Haswell-E: family 6, model 63 (0x3f), stepping 2: 0x000306f2.
        #expect(CPUx86Model.makeSignature(family: 6, model: 63, stepping: 2) == 0x0003_06f2)
        let haswell = CPUx86Model.splitSignature(0x0003_06f2)
        #expect(haswell.family == 6 && haswell.model == 63 && haswell.stepping == 2)
    }
}
