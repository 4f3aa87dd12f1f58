import libvirt_abi

/// Names the CPU some x86 data describes with a model of the map, its
/// vendor and the features it has beyond the model, as libvirt does for
/// the host CPU of the capabilities.
///
/// libvirt: `x86Decode` for a `VIR_CPU_TYPE_HOST` CPU with no list of
/// hypervisor models, no preferred model, not migratable
/// (`x86DecodeCPUData` as `virCPUx86GetHost` calls it; src/cpu/cpu_x86.c).
public struct CPUx86Decoder: Sendable {
    public let map: CPUx86Map

    public init(map: CPUx86Map) {
        self.map = map
    }

    /// What `decodeHost` finds.
    public struct Result: Hashable, Sendable {
        /// The model chosen.
        public var model: String
        /// The vendor whose string CPUID leaf 0 returns, if the map has it.
        public var vendor: String?
        /// The map's features the data has beyond the model's, in map order.
        public var features: [String]
        /// Family, model and stepping of CPUID leaf 1 (all 0 without it).
        public var signature: VirCPUSignature
    }

    /// A model tried for the data: the features the data has beyond it and
    /// the features of the model the data lacks.
    ///
    /// libvirt: the `virCPUDef` `x86DataToCPU` makes for a candidate.
    struct Candidate {
        let model: CPUx86Model
        let required: [String]
        let disabled: [String]
    }

    /// The map's features whose bits are all in `data`, in map order, each
    /// one's bits removed from `data` once it is found (so that a feature
    /// listed later whose bits an earlier one took is not found again).
    ///
    /// libvirt: `x86DataToCPUFeatures`.
    func features(in data: inout CPUx86Data) -> [String] {
        var names: [String] = []
        for feature in map.features where data.contains(feature.data) {
            data.subtract(feature.data)
            names.append(feature.name)
        }
        return names
    }

    /// The vendor whose string is in `data`, its bits removed from `data`.
    ///
    /// libvirt: `x86DataToVendor`.
    func takeVendor(from data: inout CPUx86Data) -> CPUx86Vendor? {
        for vendor in map.vendors {
            if let item = data[vendor.data.key], item.contains(vendor.data) {
                data.clearBits(vendor.data)
                return vendor
            }
        }
        return nil
    }

    /// Leaf 1 eax without its reserved bits (0 without leaf 1).
    ///
    /// libvirt: `x86DataToSignature`.
    static func signature(of data: CPUx86Data) -> UInt32 {
        (data[.cpuid(eaxIn: 1, ecxIn: 0)]?.eax ?? 0) & 0x0fff_3fff
    }

    /// Drops hle and rtm from Intel CPUs whose TSX is broken (Haswell,
    /// early Haswell-E).
    ///
    /// libvirt: `x86DataFilterTSX`.
    func filterTSX(_ data: inout CPUx86Data, vendor: CPUx86Vendor?) {
        guard vendor?.name == "Intel" else { return }
        let (family, model, stepping) = CPUx86Model.splitSignature(data[.cpuid(eaxIn: 1, ecxIn: 0)]?.eax ?? 0)
        guard family == 6, (model == 63 && stepping < 4) || model == 60 || model == 69 || model == 70 else { return }
        for name in ["hle", "rtm"] {
            if let feature = map.feature(named: name) { data.subtract(feature.data) }
        }
    }

    /// The candidate `model` makes of the data.
    ///
    /// libvirt: `x86DataToCPU` (no hypervisor model, so no blockers; a host
    /// CPU, so removed features are not added).
    func candidate(_ model: CPUx86Model, data: CPUx86Data) -> Candidate {
        var extra = data
        var missing = model.data
        // x86DataToVendor on the copy: the caller already took the vendor's
        // bits, so this finds nothing more to clear in practice.
        _ = takeVendor(from: &extra)
        extra.subtract(model.data)
        missing.subtract(data)
        let required = features(in: &extra)
        let disabled = features(in: &missing)
        return Candidate(model: model, required: required, disabled: disabled)
    }

    /// Whether `candidate` fits the data better than `current`, for a host
    /// CPU (no preferred model).
    ///
    /// libvirt: `x86DecodeUseCandidate` and
    /// `virCPUx86CompareCandidateFeatureList` (a host CPU: features
    /// counted, none disabled).
    func isBetter(_ candidate: Candidate, than current: Candidate?, signature: UInt32) -> Bool {
        guard candidate.model.decodeHost else { return false }
        // A host CPU cannot have disabled features: a model with features
        // the host lacks is never used for it.
        guard candidate.disabled.isEmpty else { return false }
        guard let current else { return true }
        if signature != 0 {
            let currentMatches = current.model.matchesSignature(signature)
            let candidateMatches = candidate.model.matchesSignature(signature)
            if currentMatches && !candidateMatches { return false }
            if !currentMatches && candidateMatches { return true }
        }
        return candidate.required.count < current.required.count
    }

    /// The model, vendor, features and signature of a host CPU.
    ///
    /// libvirt: `x86Decode(cpu, data, NULL, NULL, false)` with
    /// `cpu->type == VIR_CPU_TYPE_HOST`.
    public func decodeHost(_ cpuData: CPUx86Data) throws(VirError) -> Result {
        var data = cpuData
        let vendor = takeVendor(from: &data)
        let signature = CPUx86Decoder.signature(of: data)
        let (sigFamily, sigModel, sigStepping) = CPUx86Model.splitSignature(signature)
        filterTSX(&data, vendor: vendor)

        // Newest models first: the map lists them oldest first.
        var best: Candidate?
        for model in map.models.reversed() {
            if let vendor, let modelVendor = model.vendor, modelVendor != vendor.name { continue }
            let candidate = candidate(model, data: data)
            if isBetter(candidate, than: best, signature: signature) {
                best = candidate
            }
        }
        guard let best else {
            throw VirError(.internalError, "Cannot find suitable CPU model for given data", domain: .cpu)
        }
        return Result(model: best.model.name, vendor: vendor?.name, features: best.required,
                      signature: VirCPUSignature(family: sigFamily, model: sigModel, stepping: sigStepping))
    }
}
