import libvirt_abi

/// A CPU vendor of the map: its name and the vendor string CPUID leaf 0
/// returns in ebx, edx, ecx.
///
/// libvirt: `virCPUx86Vendor` (src/cpu/cpu_x86.c).
public struct CPUx86Vendor: Hashable, Sendable {
    public let name: String
    /// CPUID leaf 0 with the vendor string's bits (eax 0).
    public let data: CPUx86DataItem

    /// The vendor called `name` whose CPUs return `string` (12 bytes).
    ///
    /// libvirt: `virCPUx86VendorToData`.
    public init(name: String, string: String) throws(VirError) {
        let bytes = Array(string.utf8)
        guard bytes.count == 12 else {
            throw VirError(.internalError, "Invalid CPU vendor string '\(string)'", domain: .cpu)
        }
        func word(_ offset: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
        }
        self.name = name
        self.data = .cpuid(eaxIn: 0, ecxIn: 0, ebx: word(0), ecx: word(8), edx: word(4))
    }
}
