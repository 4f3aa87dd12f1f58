import CLibvirt

/// Where an error comes from (`virErrorDomain`).
///
/// libvirt: `virErrorDomain` (include/libvirt/virterror.h).
public struct ErrorDomain: RawRepresentable, Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    init(_ c: virErrorDomain) { self.rawValue = Int32(bitPattern: c.rawValue) }

    public static let none = ErrorDomain(VIR_FROM_NONE)
    public static let xml = ErrorDomain(VIR_FROM_XML)
    public static let dom = ErrorDomain(VIR_FROM_DOM)
    public static let rpc = ErrorDomain(VIR_FROM_RPC)
    public static let conf = ErrorDomain(VIR_FROM_CONF)
    public static let qemu = ErrorDomain(VIR_FROM_QEMU)
    public static let remote = ErrorDomain(VIR_FROM_REMOTE)
    public static let domain = ErrorDomain(VIR_FROM_DOMAIN)
    public static let uri = ErrorDomain(VIR_FROM_URI)
    public static let cpu = ErrorDomain(VIR_FROM_CPU)
}
