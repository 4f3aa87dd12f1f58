import virutil

/// The host CPU of capabilities' `<host>`: the model libvirt's CPU map
/// names it by, with the features it has beyond the model, and the
/// package topology.
///
/// libvirt: the host `virCPUDef` of `virQEMUCapsInitCPU`, formatted by
/// `virCPUDefFormatBuf` (src/conf/cpu_conf.c) for `VIR_CPU_TYPE_HOST`.
struct HostCPUDescription: Sendable, Equatable {
    var model: String?
    var vendor: String?
    var microcode: UInt64?
    /// family, model, stepping; `nil` where the CPU has none (family 0).
    var signature: (family: UInt32, model: UInt32, stepping: UInt32)?
    /// Hz, and whether KVM can scale it for a guest (`nil`: unknown).
    var tsc: (frequency: UInt64, scaling: Bool?)?
    var sockets: UInt32, dies: UInt32, cores: UInt32, threads: UInt32
    var maxPhysAddrBits: UInt32?
    var features: [String]

    static func == (a: Self, b: Self) -> Bool {
        var x = XMLText(), y = XMLText()
        a.format(into: &x)
        b.format(into: &y)
        return x.text == y.text
    }

    func format(into out: inout XMLText) {
        if let model { out.element("model", model) }
        if let vendor { out.element("vendor", vendor) }
        if let microcode, microcode != 0 { out.line("<microcode version='\(microcode)'/>") }
        if let s = signature, s.family != 0 {
            out.line("<signature family='\(s.family)' model='\(s.model)' stepping='\(s.stepping)'/>")
        }
        if let tsc {
            let scaling = tsc.scaling.map { " scaling='\($0 ? "yes" : "no")'" } ?? ""
            out.line("<counter name='tsc' frequency='\(tsc.frequency)'\(scaling)/>")
        }
        if sockets > 0, dies > 0, cores > 0, threads > 0 {
            out.line("<topology sockets='\(sockets)' dies='\(dies)' cores='\(cores)' threads='\(threads)'/>")
        }
        if let bits = maxPhysAddrBits { out.line("<maxphysaddr mode='emulate' bits='\(bits)'/>") }
        for f in features { out.line("<feature name='\(XMLText.escape(f))'/>") }
    }
}
