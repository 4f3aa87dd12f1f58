import Testing
import libvirt_abi
@testable import cpu_x86

/// The installed map as libvirt loads it (x86VendorParse, x86FeatureParse,
/// x86ModelParse, cpuMapLoad's order), checked against the files read
/// with a plain scan.
@Suite struct CPUx86MapTests {
    /// The include files of index.xml's x86 arch, in order.
    static func x86Includes() throws -> [String] {
        let index = try Fixtures.read(Fixtures.mapDirectory + "/index.xml")
        let start = try #require(index.firstRange(of: "<arch name='x86'>"))
        let end = try #require(index[start.upperBound...].firstRange(of: "</arch>"))
        var files: [String] = []
        var rest = index[start.upperBound..<end.lowerBound]
        while let r = rest.firstRange(of: "<include filename='") {
            rest = rest[r.upperBound...]
            let q = try #require(rest.firstIndex(of: "'"))
            files.append(String(rest[..<q]))
            rest = rest[q...]
        }
        return files
    }

    @Test func vendorsFeaturesAndModelsInLibvirtsOrder() throws {
        let map = try Fixtures.loadedMap()
        var vendors: [String] = []
        var features: [String] = []
        var models: [String] = []
        for file in try CPUx86MapTests.x86Includes() {
            let text = try Fixtures.read(Fixtures.mapDirectory + "/" + file)
            // Models name vendors and features too (<vendor name=.../>,
            // <feature name=.../>): only these files define them.
            if file.hasSuffix("_vendors.xml") { vendors += Fixtures.names(of: "vendor", in: text) }
            if file.hasSuffix("_features.xml") { features += Fixtures.names(of: "feature", in: text) }
            models += Fixtures.names(of: "model", in: text)
        }
        #expect(map.vendors.map(\.name) == vendors)
        #expect(map.features.map(\.name) == features)
        #expect(map.models.map(\.name) == models)
        // libvirt 9.0's map.
        #expect(vendors == ["Intel", "AMD", "Hygon"])
        #expect(map.features.first?.name == "fpu")
        #expect(map.features.count == 212)
        #expect(map.models.count == 58)
        #expect(map.models.first?.name == "486")
        #expect(map.models.last?.name == "Dhyana")
    }

    @Test func featureBits() throws {
        let map = try Fixtures.loadedMap()
        // <cpuid eax_in='0x01' edx='0x00000002'/>
        #expect(map.feature(named: "vme")?.data == CPUx86Data([.cpuid(eaxIn: 1, edx: 1 << 1)]))
        #expect(map.feature(named: "ssbd")?.data == CPUx86Data([.cpuid(eaxIn: 7, ecxIn: 0, edx: 0x8000_0000)]))
        #expect(map.feature(named: "svme-addr-chk")?.data == CPUx86Data([.cpuid(eaxIn: 0x8000_000a, edx: 0x1000_0000)]))
        // An alias is not data.
        #expect(map.feature(named: "arch-capabilities")?.data == CPUx86Data([.cpuid(eaxIn: 7, edx: 0x2000_0000)]))
        // An IA32_ARCH_CAPABILITIES bit.
        #expect(map.feature(named: "rdctl-no")?.data == CPUx86Data([.msr(index: 0x10a, eax: 1, edx: 0)]))
        #expect(map.feature(named: "invtsc")?.data == CPUx86Data([.cpuid(eaxIn: 0x8000_0007, edx: 1 << 8)]))
    }

    @Test func migrationBlockers() throws {
        let map = try Fixtures.loadedMap()
        #expect(map.feature(named: "invtsc")?.migratable == false)
        #expect(map.feature(named: "xsaves")?.migratable == false)
        #expect(map.feature(named: "vme")?.migratable == true)
        let text = try Fixtures.read(Fixtures.mapDirectory + "/x86_features.xml")
        #expect(map.migrateBlockers.count == text.split(separator: "migratable='no'", omittingEmptySubsequences: false).count - 1)
    }

    @Test func epycMilan() throws {
        let map = try Fixtures.loadedMap()
        let milan = try #require(map.model(named: "EPYC-Milan"))
        #expect(milan.vendor == "AMD")
        #expect(milan.signatures == [CPUx86Signature(family: 25, model: 1)])
        #expect(milan.decodeHost && milan.decodeGuest)
        #expect(milan.removedFeatures.isEmpty)
        // Its data is exactly the union of the features its file lists
        // (it names no ancestor).
        let text = try Fixtures.read(Fixtures.mapDirectory + "/x86_EPYC-Milan.xml")
        #expect(!text.contains("<model name='EPYC-Milan'>\n    <model"))
        var union = CPUx86Data()
        for name in Fixtures.names(of: "feature", in: text) {
            union.add(try #require(map.feature(named: name)).data)
        }
        #expect(milan.data == union)
    }

    @Test func removedFeaturesAreNotInTheModel() throws {
        let map = try Fixtures.loadedMap()
        let epyc = try #require(map.model(named: "EPYC"))
        #expect(epyc.removedFeatures == ["monitor"])
        #expect(!epyc.data.contains(try #require(map.feature(named: "monitor")).data))
        #expect(epyc.signatures == [CPUx86Signature(family: 23, model: 1)])
    }

    @Test func steppingsAndDecodeFlags() throws {
        let map = try Fixtures.loadedMap()
        // <signature family='6' model='85' stepping='5-7'/>
        #expect(map.model(named: "Cascadelake-Server")?.signatures == [CPUx86Signature(family: 6, model: 85, steppings: 0b1110_0000)])
        #expect(map.model(named: "Skylake-Server")?.signatures == [CPUx86Signature(family: 6, model: 85, steppings: 0b1_1111)])
        let haswell = try #require(map.model(named: "Haswell"))
        #expect(haswell.signatures.map(\.model) == [60, 63, 69, 70])
        #expect(haswell.matchesSignature(CPUx86Model.makeSignature(family: 6, model: 63, stepping: 9)))
        #expect(!haswell.matchesSignature(CPUx86Model.makeSignature(family: 6, model: 61, stepping: 0)))
        let cascade = try #require(map.model(named: "Cascadelake-Server"))
        #expect(cascade.matchesSignature(CPUx86Model.makeSignature(family: 6, model: 85, stepping: 7)))
        #expect(!cascade.matchesSignature(CPUx86Model.makeSignature(family: 6, model: 85, stepping: 4)))

        let rhel6 = try #require(map.model(named: "cpu64-rhel6"))
        #expect(!rhel6.decodeHost && !rhel6.decodeGuest)
        #expect(map.models.filter { !$0.decodeHost }.map(\.name) == ["cpu64-rhel5", "cpu64-rhel6"])
        #expect(map.model(named: "kvm64")?.vendor == nil)
    }
}

/// Maps written for the test: what the installed one does not exercise
/// (ancestors) and the refusals.
@Suite struct CPUx86SyntheticMapTests {
    static let features = """
        <cpus>
          <feature name='a'><cpuid eax_in='0x01' ecx='0x00000003'/></feature>
          <feature name='b'><cpuid eax_in='0x01' ecx='0x00000001'/></feature>
          <feature name='c'><alias name='cc' source='qemu'/><cpuid eax_in='0x07' ecx_in='1' eax='0x10'/></feature>
          <feature name='m' migratable='no'><msr index='0x10a' eax='0x2' edx='0x0'/></feature>
        </cpus>
        """

    static func load(_ files: [String: String]) throws(VirError) -> CPUx86Map {
        try CPUx86Map.load { name throws(VirError) in
            guard let text = files[name] else {
                throw VirError(.systemError, "no \(name)", domain: .cpu)
            }
            return (name, text)
        }
    }

    static func index(_ includes: [String]) -> String {
        "<cpus><arch name='ppc64'><include filename='nope.xml'/></arch><arch name='x86'>"
            + includes.map { "<include filename='\($0)'/>" }.joined() + "</arch></cpus>"
    }

    @Test func ancestorsGiveVendorSignaturesAndData() throws {
        let map = try CPUx86SyntheticMapTests.load([
            "index.xml": CPUx86SyntheticMapTests.index(["v.xml", "f.xml", "p.xml", "c.xml"]),
            "v.xml": "<cpus><vendor name='AMD' string='AuthenticAMD'/></cpus>",
            "f.xml": CPUx86SyntheticMapTests.features,
            "p.xml": """
                <cpus><model name='parent'><decode host='on' guest='off'/>
                  <signature family='25' model='1' stepping='0-3'/><vendor name='AMD'/>
                  <feature name='b'/><feature name='c' removed='yes'/></model></cpus>
                """,
            "c.xml": """
                <cpus>
                  <model name='child'><decode host='off' guest='on'/><model name='parent'/><feature name='c'/></model>
                  <model name='child2'><decode host='on' guest='on'/><model name='parent'/><signature family='26' model='2'/></model>
                </cpus>
                """,
        ])
        #expect(map.models.map(\.name) == ["parent", "child", "child2"])
        let parent = try #require(map.model(named: "parent"))
        #expect(parent.decodeHost && !parent.decodeGuest)
        #expect(parent.removedFeatures == ["c"])
        #expect(parent.data == CPUx86Data([.cpuid(eaxIn: 1, ecx: 1)]))
        let child = try #require(map.model(named: "child"))
        #expect(!child.decodeHost && child.decodeGuest)
        #expect(child.vendor == "AMD")
        #expect(child.signatures == [CPUx86Signature(family: 25, model: 1, steppings: 0b1111)])
        #expect(child.data == CPUx86Data([.cpuid(eaxIn: 1, ecx: 1), .cpuid(eaxIn: 7, ecxIn: 1, eax: 0x10)]))
        #expect(child.removedFeatures.isEmpty)
        // Its own signatures replace the inherited ones.
        #expect(map.model(named: "child2")?.signatures == [CPUx86Signature(family: 26, model: 2)])
        #expect(map.migrateBlockers.map(\.name) == ["m"])
    }

    @Test func refusals() throws {
        func message(_ files: [String: String]) -> String? {
            var all = files
            if all["index.xml"] == nil { all["index.xml"] = CPUx86SyntheticMapTests.index(["f.xml", "m.xml"]) }
            if all["f.xml"] == nil { all["f.xml"] = CPUx86SyntheticMapTests.features }
            return #expect(throws: VirError.self) { try CPUx86SyntheticMapTests.load(all) }?.message
        }
        #expect(message(["index.xml": "<cpus><arch name='arm'/></cpus>"])
                == "internal error: cannot find CPU map for x86 architecture")
        #expect(message(["m.xml": "<cpus><feature name='a'><cpuid eax_in='1' ebx='1'/></feature></cpus>"])
                == "internal error: CPU feature a already defined")
        #expect(message(["m.xml": "<cpus><feature name='z'><cpuid ebx='1'/></feature></cpus>"])
                == "internal error: Invalid cpuid[0]")
        #expect(message(["m.xml": "<cpus><feature name='z'><alias name='y'/><msr index='1' eax='-1' edx='0'/></feature></cpus>"])
                == "internal error: Invalid msr[0]")
        #expect(message(["m.xml": "<cpus><feature name='z'/></cpus>"])
                == "internal error: no x86 CPU data found")
        #expect(message(["m.xml": "<cpus><model name='x'><feature name='a'/></model></cpus>"])
                == "internal error: missing decode element in CPU model x")
        #expect(message(["m.xml": "<cpus><model name='x'><decode host='on' guest='default'/></model></cpus>"])
                == "XML error: Invalid value for attribute 'guest' in element 'decode': 'default'.")
        #expect(message(["m.xml": "<cpus><model name='x'><decode host='on' guest='on'/><model name='y'/></model></cpus>"])
                == "internal error: Ancestor model y not found for CPU model x")
        #expect(message(["m.xml": "<cpus><model name='x'><decode host='on' guest='on'/><feature name='q'/></model></cpus>"])
                == "internal error: Feature q required by CPU model x not found")
        #expect(message(["m.xml": "<cpus><model name='x'><decode host='on' guest='on'/><vendor name='AMD'/></model></cpus>"])
                == "internal error: Unknown vendor AMD referenced by CPU model x")
        #expect(message(["m.xml": "<cpus><model name='x'><decode host='on' guest='on'/><signature family='0' model='1'/></model></cpus>"])
                == "internal error: Invalid CPU signature family in model x")
        #expect(message(["m.xml": "<cpus><model name='x'><decode host='on' guest='on'/><signature family='6' model='1' stepping='16'/></model></cpus>"])
                == "invalid argument: Failed to parse bitmap '16'")
        #expect(message(["m.xml": "<cpus><model name='x'><decode host='on' guest='on'/></model><model name='x'><decode host='on' guest='on'/></model></cpus>"])
                == "internal error: Multiple definitions of CPU model 'x'")
        #expect(message(["m.xml": "<cpus><vendor name='X' string='GenuineIntel'/><vendor name='X' string='AuthenticAMD'/></cpus>"])
                == "internal error: CPU vendor X already defined")
        #expect(message(["m.xml": "<cpus><vendor name='X'/></cpus>"])
                == "internal error: Missing vendor string for CPU vendor X")
    }
}
