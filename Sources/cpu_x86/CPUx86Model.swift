/// A named CPU model of the map, with what it inherited from its ancestor.
///
/// libvirt: `virCPUx86Model` (src/cpu/cpu_x86.c).
public struct CPUx86Model: Hashable, Sendable {
    public let name: String
    /// `<decode host='on'>`: may name a host CPU.
    public let decodeHost: Bool
    /// `<decode guest='on'>`: may name a guest CPU.
    public let decodeGuest: Bool
    /// The name of one of the map's vendors, if the model has one.
    public let vendor: String?
    /// The CPUs the model was made for (empty: none named).
    public let signatures: [CPUx86Signature]
    /// The bits of all its features (the ancestor's included).
    public let data: CPUx86Data
    /// Features with `removed='yes'`: no longer part of the model (not
    /// inherited).
    public let removedFeatures: [String]

    public init(name: String, decodeHost: Bool, decodeGuest: Bool, vendor: String?,
                signatures: [CPUx86Signature], data: CPUx86Data, removedFeatures: [String] = []) {
        self.name = name
        self.decodeHost = decodeHost
        self.decodeGuest = decodeGuest
        self.vendor = vendor
        self.signatures = signatures
        self.data = data
        self.removedFeatures = removedFeatures
    }

    /// One of the model's signatures covers the CPU signature (CPUID leaf 1
    /// eax, reserved bits masked out).
    ///
    /// libvirt: `virCPUx86SignaturesMatch`.
    public func matchesSignature(_ signature: UInt32) -> Bool {
        let (family, model, stepping) = CPUx86Model.splitSignature(signature)
        return signatures.contains { $0.matches(family: family, model: model, stepping: stepping) }
    }

    /// Family, model and stepping of a CPUID leaf 1 eax.
    ///
    /// libvirt: `virCPUx86SignatureFromCPUID`.
    public static func splitSignature(_ sig: UInt32) -> (family: UInt32, model: UInt32, stepping: UInt32) {
        (((sig >> 20) & 0xff) + ((sig >> 8) & 0xf),
         ((sig >> 12) & 0xf0) + ((sig >> 4) & 0xf),
         sig & 0xf)
    }

    /// The CPUID leaf 1 eax of a family, model and stepping.
    ///
    /// libvirt: `x86MakeSignature`.
    public static func makeSignature(family: UInt32, model: UInt32, stepping: UInt32) -> UInt32 {
        var sig: UInt32 = 0
        var family = family
        if family > 0xf {
            sig |= (family - 0xf) << 20
            family = 0xf
        }
        sig |= (model >> 4) << 16
        sig |= family << 8
        sig |= (model & 0xf) << 4
        sig |= stepping & 0xf
        return sig
    }
}
