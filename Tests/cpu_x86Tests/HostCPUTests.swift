import Glibc
import Testing
import libvirt_abi
@testable import cpu_x86

/// `VirCPUDef.host()` on the machine the tests run on, checked against
/// /proc/cpuinfo and the map (not against a given CPU: the comparison
/// with libvirtd's own answer is made elsewhere).
@Suite struct HostCPUTests {
    #if arch(x86_64) || arch(i386)
    @Test func hostIsDescribedWithTheMap() throws {
        let map = try Fixtures.loadedMap()
        let cpu = try VirCPUDef.host()
        #if arch(x86_64)
        #expect(cpu.arch == "x86_64")
        #endif

        let modelName = try #require(cpu.model)
        let model = try #require(map.model(named: modelName))
        #expect(model.decodeHost)

        // Features are map features, each once, in map order, none of them
        // the model's own.
        let position = Dictionary(uniqueKeysWithValues: map.features.enumerated().map { ($1.name, $0) })
        let indices = try cpu.features.map { try #require(position[$0], "\($0) is not a map feature") }
        #expect(indices == indices.sorted())
        #expect(Set(indices).count == indices.count)
        for name in cpu.features {
            #expect(!model.data.contains(try #require(map.feature(named: name)).data), "\(name) is in \(modelName)")
        }
        if let vendor = model.vendor { #expect(cpu.vendor == vendor) }
    }

    @Test func hostMatchesProcCpuinfo() throws {
        let cpu = try VirCPUDef.host()
        let cpuinfo = try Fixtures.read("/proc/cpuinfo")

        let family = try #require(Fixtures.cpuinfoField("cpu family", in: cpuinfo).flatMap { UInt32($0) })
        let model = try #require(Fixtures.cpuinfoField("model", in: cpuinfo).flatMap { UInt32($0) })
        let stepping = try #require(Fixtures.cpuinfoField("stepping", in: cpuinfo).flatMap { UInt32($0) })
        #expect(cpu.signature == VirCPUSignature(family: family, model: model, stepping: stepping))

        let microcode = Fixtures.cpuinfoField("microcode", in: cpuinfo).flatMap { text -> UInt64? in
            text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        }
        #expect(cpu.microcodeVersion == (microcode == 0 ? nil : microcode))

        let physical = Fixtures.cpuinfoField("address sizes", in: cpuinfo)
            .flatMap { $0.split(separator: " ").first }.flatMap { UInt32($0) }
        #expect(cpu.maxPhysAddrBits == physical)

        let vendors = ["GenuineIntel": "Intel", "AuthenticAMD": "AMD", "HygonGenuine": "Hygon"]
        let vendorID = try #require(Fixtures.cpuinfoField("vendor_id", in: cpuinfo))
        #expect(cpu.vendor == vendors[vendorID])
    }

    @Test func cpuidLeafZeroIsTheVendorString() throws {
        let data = HostCPUID.host()
        let leaf0 = try #require(data[.cpuid(eaxIn: 0, ecxIn: 0)])
        var bytes: [UInt8] = []
        for word in [leaf0.ebx, leaf0.edx, leaf0.ecx] {
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt32(shift))) }
        }
        let cpuinfo = try Fixtures.read("/proc/cpuinfo")
        #expect(String(decoding: bytes, as: UTF8.self) == Fixtures.cpuinfoField("vendor_id", in: cpuinfo))
        // Both ranges were read up to their highest leaf.
        #expect(data[.cpuid(eaxIn: leaf0.eax, ecxIn: 0)] != nil || [0xb, 0x12, 0x17].contains(leaf0.eax))
        let ext = try #require(data[.cpuid(eaxIn: 0x8000_0000, ecxIn: 0)])
        #expect(data[.cpuid(eaxIn: ext.eax, ecxIn: 0)] != nil)
    }

    @Test func tscGoesWithInvariantTSC() throws {
        let cpu = try VirCPUDef.host()
        if let tsc = cpu.tsc {
            // Only probed with invtsc, which no model has (it blocks migration).
            #expect(cpu.features.contains("invtsc"))
            #expect(tsc.frequency > 0)
            #expect(tsc.scaling != nil)
        } else {
            #expect(!cpu.features.contains("invtsc") || access(VirHostCPU.kvmDevice, R_OK) != 0)
        }
    }
    #endif
}
