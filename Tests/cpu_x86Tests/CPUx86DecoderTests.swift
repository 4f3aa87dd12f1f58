import Testing
import libvirt_abi
@testable import cpu_x86

/// x86Decode for a host CPU on data made from the installed map's models.
@Suite struct CPUx86DecoderTests {
    /// A model's bits, with a vendor string in leaf 0 and a signature in
    /// leaf 1 eax when given, plus some features.
    static func data(_ model: String, vendor: String? = nil, signature: (UInt32, UInt32, UInt32)? = nil,
                     plus features: [String] = [], map: CPUx86Map) throws -> CPUx86Data {
        var data = try #require(map.model(named: model)).data
        if let vendor { data.addItem(try #require(map.vendor(named: vendor)).data) }
        if let (family, model, stepping) = signature {
            data.addItem(.cpuid(eaxIn: 1, eax: CPUx86Model.makeSignature(family: family, model: model, stepping: stepping)))
        }
        for name in features { data.add(try #require(map.feature(named: name)).data) }
        return data
    }

    static func decode(_ data: CPUx86Data, map: CPUx86Map) throws -> CPUx86Decoder.Result {
        try CPUx86Decoder(map: map).decodeHost(data)
    }

    @Test func aModelsOwnDataIsThatModel() throws {
        let map = try Fixtures.loadedMap()
        // No vendor and no signature: the candidate with the fewest extra
        // features wins, and only kvm64 itself has none (the later models
        // all have features kvm64 lacks; qemu64 and the others before it
        // are tried after it and can only do worse or as well).
        let kvm64 = try Self.decode(try Self.data("kvm64", map: map), map: map)
        #expect(kvm64.model == "kvm64")
        #expect(kvm64.vendor == nil)
        #expect(kvm64.features.isEmpty)
        #expect(kvm64.signature == VirCPUSignature(family: 0, model: 0, stepping: 0))

        // With AMD's string and Zen 3's signature: EPYC-Milan is the newest
        // AMD model (Dhyana is Hygon's) and the only one with that signature.
        let milan = try Self.decode(try Self.data("EPYC-Milan", vendor: "AMD", signature: (25, 1, 1), map: map), map: map)
        #expect(milan.model == "EPYC-Milan")
        #expect(milan.vendor == "AMD")
        #expect(milan.features.isEmpty)
        #expect(milan.signature == VirCPUSignature(family: 25, model: 1, stepping: 1))
    }

    @Test func extraFeaturesAreListedInMapOrder() throws {
        let map = try Fixtures.loadedMap()
        let one = try Self.decode(try Self.data("EPYC-Milan", vendor: "AMD", signature: (25, 1, 1), plus: ["invtsc"], map: map), map: map)
        #expect(one.model == "EPYC-Milan")
        #expect(one.features == ["invtsc"])

        let added = ["invtsc", "topoext", "hypervisor"]
        let three = try Self.decode(try Self.data("EPYC-Milan", vendor: "AMD", signature: (25, 1, 1), plus: added, map: map), map: map)
        #expect(three.model == "EPYC-Milan")
        let position = Dictionary(uniqueKeysWithValues: map.features.enumerated().map { ($1.name, $0) })
        #expect(three.features == added.sorted { position[$0, default: .max] < position[$1, default: .max] })
        #expect(three.features == ["hypervisor", "topoext", "invtsc"])
    }

    @Test func aVendorMismatchExcludesTheModel() throws {
        let map = try Fixtures.loadedMap()
        let intel = try Self.decode(try Self.data("EPYC-Milan", vendor: "Intel", signature: (25, 1, 1), map: map), map: map)
        #expect(intel.vendor == "Intel")
        #expect(intel.model != "EPYC-Milan")
        let chosen = try #require(map.model(named: intel.model))
        #expect(chosen.vendor == nil || chosen.vendor == "Intel")
        // What the model lacks shows up as features.
        #expect(!intel.features.isEmpty)

        let hygon = try Self.decode(try Self.data("EPYC-Milan", vendor: "Hygon", signature: (25, 1, 1), map: map), map: map)
        #expect(hygon.vendor == "Hygon")
        #expect(try #require(map.model(named: hygon.model)).vendor != "AMD")
    }

    @Test func aMatchingSignatureIsPreferredOverFewerFeatures() throws {
        let map = try Fixtures.loadedMap()
        // EPYC-Milan's data with the first EPYC's signature (23, 1): EPYC-IBPB
        // and EPYC carry it; EPYC-IBPB has one feature more (ibpb), so fewer
        // left over. EPYC-Milan would list none but does not match.
        let zen1 = try Self.decode(try Self.data("EPYC-Milan", vendor: "AMD", signature: (23, 1, 2), map: map), map: map)
        #expect(zen1.model == "EPYC-IBPB")
        let ibpb = try #require(map.model(named: "EPYC-IBPB"))
        for name in zen1.features {
            #expect(!ibpb.data.contains(try #require(map.feature(named: name)).data))
        }
        #expect(!zen1.features.isEmpty)

        // No signature: fewest features.
        let none = try Self.decode(try Self.data("EPYC-Milan", vendor: "AMD", map: map), map: map)
        #expect(none.model == "EPYC-Milan")

        // A signature no model has: fewest features again.
        let other = try Self.decode(try Self.data("EPYC-Milan", vendor: "AMD", signature: (30, 7, 0), map: map), map: map)
        #expect(other.model == "EPYC-Milan")
    }

    @Test func steppingsDecideBetweenModelsOfOneFamilyAndModel() throws {
        let map = try Fixtures.loadedMap()
        // Stepping 6 is Cascade Lake's (5-7).
        let cascade = try Self.decode(try Self.data("Cascadelake-Server", vendor: "Intel", signature: (6, 85, 6), map: map), map: map)
        #expect(cascade.model == "Cascadelake-Server")
        #expect(cascade.features.isEmpty)
        // Stepping 4 is Skylake-Server's (0-4): of its three models the one
        // with IBRS and TSX leaves the fewest features over.
        let skylake = try Self.decode(try Self.data("Cascadelake-Server", vendor: "Intel", signature: (6, 85, 4), map: map), map: map)
        #expect(skylake.model == "Skylake-Server-IBRS")
        #expect(skylake.features == ["clflushopt", "avx512vnni", "ssbd"])
    }

    @Test func modelsNotForHostsAreNeverChosen() throws {
        let map = try Fixtures.loadedMap()
        for name in ["cpu64-rhel5", "cpu64-rhel6"] {
            let decoded = try Self.decode(try Self.data(name, map: map), map: map)
            #expect(decoded.model != name)
            #expect(try #require(map.model(named: decoded.model)).decodeHost)
        }
    }

    @Test func brokenTSXIsDropped() throws {
        let map = try Fixtures.loadedMap()
        // Haswell (family 6 model 60): hle and rtm go, so Haswell itself
        // lacks features and Haswell-noTSX fits exactly.
        let broken = try Self.decode(try Self.data("Haswell", vendor: "Intel", signature: (6, 60, 3), map: map), map: map)
        #expect(broken.model == "Haswell-noTSX")
        #expect(broken.features.isEmpty)
        // Haswell-E stepping 4 and later keep TSX.
        let fixed = try Self.decode(try Self.data("Haswell", vendor: "Intel", signature: (6, 63, 4), map: map), map: map)
        #expect(fixed.model == "Haswell")
        #expect(fixed.features.isEmpty)
        // Not for AMD.
        let amd = try Self.decode(try Self.data("Haswell", vendor: "AMD", signature: (6, 60, 3), map: map), map: map)
        #expect(amd.features.contains("hle") && amd.features.contains("rtm"))
    }

    @Test func noModelFits() throws {
        let map = try Fixtures.loadedMap()
        let error = #expect(throws: VirError.self) {
            try CPUx86Decoder(map: map).decodeHost(CPUx86Data([.cpuid(eaxIn: 1, edx: 1 << 1)]))
        }
        #expect(error?.message == "internal error: Cannot find suitable CPU model for given data")
        #expect(error?.domain == .cpu)
    }

    /// Two models leaving as many features over: the one later in the map
    /// (tried first, newest first) stays, a candidate must do strictly
    /// better.
    @Test func aTieKeepsTheNewerModel() throws {
        let map = try CPUx86SyntheticMapTests.load([
            "index.xml": CPUx86SyntheticMapTests.index(["f.xml", "m.xml"]),
            "f.xml": CPUx86SyntheticMapTests.features,
            "m.xml": """
                <cpus>
                  <model name='older'><decode host='on' guest='on'/><feature name='c'/></model>
                  <model name='newer'><decode host='on' guest='on'/><feature name='m'/></model>
                </cpus>
                """,
        ])
        let decoded = try CPUx86Decoder(map: map).decodeHost(CPUx86Data([
            .cpuid(eaxIn: 7, ecxIn: 1, eax: 0x10), .msr(index: 0x10a, eax: 2),
        ]))
        #expect(decoded.model == "newer")
        #expect(decoded.features == ["c"])
    }

    /// A feature whose bits an earlier feature of the map took is not
    /// listed again (x86DataToCPUFeatures subtracts as it goes).
    @Test func aFeatureCoveredByAnEarlierOneIsNotListed() throws {
        let map = try CPUx86SyntheticMapTests.load([
            "index.xml": CPUx86SyntheticMapTests.index(["f.xml", "m.xml"]),
            "f.xml": CPUx86SyntheticMapTests.features,
            "m.xml": "<cpus><model name='base'><decode host='on' guest='on'/><feature name='c'/></model></cpus>",
        ])
        let decoded = try CPUx86Decoder(map: map).decodeHost(CPUx86Data([
            .cpuid(eaxIn: 1, ecx: 3), .cpuid(eaxIn: 7, ecxIn: 1, eax: 0x10), .msr(index: 0x10a, eax: 2),
        ]))
        #expect(decoded.model == "base")
        #expect(decoded.features == ["a", "m"])
    }
}
