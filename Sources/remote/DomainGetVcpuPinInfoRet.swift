/// `remote_domain_get_vcpu_pin_info_ret`: the CPU maps (ncpumaps × maplen
/// bytes) and how many vCPUs they describe.
public struct DomainGetVcpuPinInfoRet: XDRCodable, Hashable {
    public var cpumaps: [UInt8]
    public var num: Int32
    public init(cpumaps: [UInt8], num: Int32) {
        self.cpumaps = cpumaps
        self.num = num
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        cpumaps = try d.opaque(max: RemoteProtocolLimits.cpuMapsMax)
        num = try d.int32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.opaque(cpumaps, max: RemoteProtocolLimits.cpuMapsMax)
        e.int32(num)
    }
}
