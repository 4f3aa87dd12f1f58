import Testing
import libvirt_abi
@testable import cpu_x86

/// /proc/cpuinfo as virHostCPUGetMicrocodeVersion and
/// virHostCPUParsePhysAddrSize read it, and virCPUx86GetHost's steps
/// around the decoding, on given data and probes.
@Suite struct VirHostCPUTests {
    static let cpuinfo = """
        processor\t: 0
        vendor_id\t: AuthenticAMD
        cpu family\t: 25
        model\t\t: 1
        model name\t: AMD EPYC
        stepping\t: 1
        microcode\t: 0x1000065
        cpu MHz\t\t: 2445.426
        flags\t\t: fpu vme de pse
        address sizes\t: 48 bits physical, 48 bits virtual

        """

    @Test func microcode() {
        #expect(VirHostCPU.microcodeVersion(cpuinfo: Self.cpuinfo) == 16_777_317)
        #expect(VirHostCPU.microcodeVersion(cpuinfo: "microcode : 123\n") == 123)
        #expect(VirHostCPU.microcodeVersion(cpuinfo: "microcode\t: 0x0\n") == nil)
        #expect(VirHostCPU.microcodeVersion(cpuinfo: "processor : 0\n") == nil)
        #expect(VirHostCPU.microcodeVersion(cpuinfo: "microcode\t: none\n") == nil)
    }

    @Test func physAddrSize() throws {
        #expect(try VirHostCPU.physAddrSize(cpuinfo: Self.cpuinfo) == 48)
        #expect(try VirHostCPU.physAddrSize(cpuinfo: "address sizes : 39 bits physical, 48 bits virtual\n") == 39)
        let error = #expect(throws: VirError.self) { try VirHostCPU.physAddrSize(cpuinfo: "processor : 0\n") }
        #expect(error?.message == "internal error: Missing or invalid CPU address size in /proc/cpuinfo")
        #expect(throws: VirError.self) { try VirHostCPU.physAddrSize(cpuinfo: "address sizes : x bits\n") }
    }

    /// kvm64's data with AMD's string and Zen 3's signature, plus features.
    static func data(plus features: [String], map: CPUx86Map) throws -> CPUx86Data {
        try CPUx86DecoderTests.data("kvm64", vendor: "AMD", signature: (25, 1, 1), plus: features, map: map)
    }

    @Test func archCapabilitiesAddsTheMSR() throws {
        let map = try Fixtures.loadedMap()
        var data = try Self.data(plus: ["arch-capabilities"], map: map)
        var asked: [UInt32] = []
        let cpu = VirCPUDef.host(map: map, data: &data, msr: { asked.append($0); return 0x1 | 0x20 },
                                 tsc: { nil }, microcode: { nil }, physAddrBits: { nil })
        #expect(asked == [0x10a])
        #expect(data[.msr(index: 0x10a)] == .msr(index: 0x10a, eax: 0x21, edx: 0))
        #expect(cpu.model == "kvm64")
        #expect(cpu.features == ["arch-capabilities", "rdctl-no", "mds-no"])
    }

    @Test func noMSRWithoutArchCapabilities() throws {
        let map = try Fixtures.loadedMap()
        var data = try Self.data(plus: [], map: map)
        var asked: [UInt32] = []
        let cpu = VirCPUDef.host(map: map, data: &data, msr: { asked.append($0); return 1 },
                                 tsc: { nil }, microcode: { nil }, physAddrBits: { nil })
        #expect(asked.isEmpty)
        #expect(data[.msr(index: 0x10a)] == nil)
        #expect(cpu.features.isEmpty)
    }

    @Test func tscOnlyWithInvariantTSC() throws {
        let map = try Fixtures.loadedMap()
        let info = VirHostCPUTscInfo(frequency: 2_445_426_000, scaling: false)
        var calls = 0
        var without = try Self.data(plus: [], map: map)
        let a = VirCPUDef.host(map: map, data: &without, msr: { _ in nil }, tsc: { calls += 1; return info },
                               microcode: { 7 }, physAddrBits: { 48 })
        #expect(calls == 0)
        #expect(a.tsc == nil)
        var with = try Self.data(plus: ["invtsc"], map: map)
        let b = VirCPUDef.host(map: map, data: &with, msr: { _ in nil }, tsc: { calls += 1; return info },
                               microcode: { 7 }, physAddrBits: { 48 })
        #expect(calls == 1)
        #expect(b == VirCPUDef(arch: VirCPUDef.hostArch, model: "kvm64", vendor: "AMD", microcodeVersion: 7,
                               signature: VirCPUSignature(family: 25, model: 1, stepping: 1), tsc: info,
                               maxPhysAddrBits: 48, features: ["invtsc"]))
        #expect(b.hostXMLLines(indent: 2) == [
            "  <arch>\(VirCPUDef.hostArch)</arch>",
            "  <model>kvm64</model>",
            "  <vendor>AMD</vendor>",
            "  <microcode version='7'/>",
            "  <signature family='25' model='1' stepping='1'/>",
            "  <counter name='tsc' frequency='2445426000' scaling='no'/>",
            "  <maxphysaddr mode='emulate' bits='48'/>",
            "  <feature name='invtsc'/>",
        ])
    }

    /// A CPU no model fits keeps what was probed besides CPUID, as libvirt's
    /// capabilities print it.
    @Test func noModelKeepsTheRest() throws {
        let map = try Fixtures.loadedMap()
        var data = CPUx86Data([.cpuid(eaxIn: 0x8000_0007, edx: 1 << 8)])
        let cpu = VirCPUDef.host(map: map, data: &data, msr: { _ in nil },
                                 tsc: { VirHostCPUTscInfo(frequency: 1000, scaling: nil) },
                                 microcode: { nil }, physAddrBits: { 40 })
        #expect(cpu == VirCPUDef(arch: VirCPUDef.hostArch, tsc: VirHostCPUTscInfo(frequency: 1000, scaling: nil), maxPhysAddrBits: 40))
        #expect(cpu.hostXMLLines() == [
            "<arch>\(VirCPUDef.hostArch)</arch>",
            "<counter name='tsc' frequency='1000'/>",
            "<maxphysaddr mode='emulate' bits='40'/>",
        ])
    }
}
