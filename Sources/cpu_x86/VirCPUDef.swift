import domain_conf
import libvirt_abi

/// The host CPU as libvirt describes it in the capabilities' `<host><cpu>`:
/// the model of libvirt's CPU map that fits it, its vendor, the features
/// it has beyond the model, and what libvirt probes besides CPUID.
///
/// libvirt: the host's `virCPUDef` (src/conf/cpu_conf.h), as
/// `virCPUx86GetHost` fills it.
public struct VirCPUDef: Hashable, Sendable {
    /// libvirt: `virArchFromHost()` ("x86_64", "i686").
    public var arch: String
    /// `nil` when no model of the map fits (libvirt prints no `<model>`).
    public var model: String?
    public var vendor: String?
    /// `<microcode version=...>`; `nil` when unknown (libvirt's 0).
    public var microcodeVersion: UInt64?
    /// `<signature>`; `nil` when the family is 0 (libvirt prints none).
    public var signature: VirCPUSignature?
    /// `<counter name='tsc'>`: only for a CPU with invariant TSC, when KVM
    /// could be asked.
    public var tsc: VirHostCPUTscInfo?
    /// `<maxphysaddr mode='emulate' bits=...>`.
    public var maxPhysAddrBits: UInt32?
    /// Sockets, dies, cores per die, threads per core: the host's, from
    /// its node information (`virCPUDef`'s `sockets`...`threads`); not
    /// read from CPUID.
    public var topology: VirCPUTopology?
    /// `<feature name=...>`, in the map's feature order.
    public var features: [String]

    public init(arch: String, model: String? = nil, vendor: String? = nil, microcodeVersion: UInt64? = nil,
                signature: VirCPUSignature? = nil, tsc: VirHostCPUTscInfo? = nil, maxPhysAddrBits: UInt32? = nil,
                features: [String] = []) {
        self.arch = arch
        self.model = model
        self.vendor = vendor
        self.microcodeVersion = microcodeVersion
        self.signature = signature
        self.tsc = tsc
        self.maxPhysAddrBits = maxPhysAddrBits
        self.features = features
    }

    /// libvirt's name of the host architecture.
    ///
    /// libvirt: `virArchFromHost`.
    public static var hostArch: String {
        #if arch(x86_64)
        return "x86_64"
        #elseif arch(i386)
        return "i686"
        #elseif arch(arm64)
        return "aarch64"
        #else
        return "unknown"
        #endif
    }

    /// The host CPU: CPUID (both ranges, with the IA32_ARCH_CAPABILITIES MSR
    /// when the CPU has `arch-capabilities`), decoded against the CPU map in
    /// `cpuMapDir`; then the microcode version, the TSC (with `invtsc`) and
    /// the physical address size.
    ///
    /// As in libvirt, a CPU no model fits still gets the rest (model,
    /// vendor, signature and features absent); the probes besides CPUID are
    /// best effort.
    ///
    /// - Throws: when the map cannot be loaded, or the host is not x86.
    ///
    /// libvirt: `virCPUx86GetHost` (through `virCPUProbeHost`, a
    /// `VIR_CPU_TYPE_HOST` CPU with any model of the map allowed).
    public static func host(cpuMapDir: String = CPUx86Map.defaultDirectory) throws(VirError) -> VirCPUDef {
        #if arch(x86_64) || arch(i386)
        let map = try CPUx86Map.load(directory: cpuMapDir)
        var data = HostCPUID.host()
        return host(map: map, data: &data, msr: VirHostCPU.msr, tsc: VirHostCPU.tscInfo,
                    microcode: { VirHostCPU.microcodeVersion() },
                    physAddrBits: {
                        do {
                            return try VirHostCPU.physAddrSize()
                        } catch {
                            // libvirt reports it and goes on without <maxphysaddr>.
                            return nil
                        }
                    })
        #else
        throw VirError(.noSupport, "cannot detect host CPU model for \(hostArch) architecture", domain: .cpu)
        #endif
    }

    /// `host(cpuMapDir:)` on given CPUID data and probes (tests give their
    /// own).
    ///
    /// libvirt: `virCPUx86GetHost` after `cpuidSet`.
    static func host(map: CPUx86Map, data: inout CPUx86Data, msr: (UInt32) -> UInt64?,
                     tsc: () -> VirHostCPUTscInfo?, microcode: () -> UInt32?,
                     physAddrBits: () -> UInt32?) -> VirCPUDef {
        let archCapabilities: UInt32 = 0x10a
        if let feature = map.feature(named: "arch-capabilities"), data.contains(feature.data),
           let value = msr(archCapabilities) {
            data.addItem(.msr(index: archCapabilities, eax: UInt32(truncatingIfNeeded: value),
                              edx: UInt32(truncatingIfNeeded: value >> 32)))
        }

        var cpu = VirCPUDef(arch: hostArch)
        do {
            let decoded = try CPUx86Decoder(map: map).decodeHost(data)
            cpu.model = decoded.model
            cpu.vendor = decoded.vendor
            cpu.features = decoded.features
            cpu.signature = decoded.signature.family == 0 ? nil : decoded.signature
        } catch {
            // libvirt's virCPUGetHost keeps the CPU without a model when it
            // has the host's topology, as virCPUProbeHost does.
        }
        cpu.microcodeVersion = microcode().map(UInt64.init)
        if let feature = map.feature(named: "invtsc"), data.contains(feature.data) {
            cpu.tsc = tsc()
        }
        cpu.maxPhysAddrBits = physAddrBits()
        return cpu
    }

    /// The lines libvirt prints for these fields inside `<cpu>` (without
    /// `<pages>`, which come from elsewhere), two spaces a
    /// level, starting at `indent` spaces.
    ///
    /// libvirt: `virCPUDefFormatBuf` for a `VIR_CPU_TYPE_HOST` CPU.
    public func hostXMLLines(indent: Int = 0) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var lines = ["<arch>\(arch)</arch>"]
        if let model { lines.append("<model>\(XMLElement.escape(model))</model>") }
        if let vendor { lines.append("<vendor>\(XMLElement.escape(vendor))</vendor>") }
        if let microcodeVersion { lines.append("<microcode version='\(microcodeVersion)'/>") }
        if let signature {
            lines.append("<signature family='\(signature.family)' model='\(signature.model)' stepping='\(signature.stepping)'/>")
        }
        if let tsc {
            var line = "<counter name='tsc' frequency='\(tsc.frequency)'"
            if let scaling = tsc.scaling { line += " scaling='\(scaling ? "yes" : "no")'" }
            lines.append(line + "/>")
        }
        if let t = topology, t.sockets > 0, t.dies > 0, t.cores > 0, t.threads > 0 {
            lines.append("<topology sockets='\(t.sockets)' dies='\(t.dies)' cores='\(t.cores)' threads='\(t.threads)'/>")
        }
        if let maxPhysAddrBits { lines.append("<maxphysaddr mode='emulate' bits='\(maxPhysAddrBits)'/>") }
        lines += features.map { "<feature name='\($0)'/>" }
        return lines.map { pad + $0 }
    }
}
