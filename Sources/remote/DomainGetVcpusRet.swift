/// `remote_domain_get_vcpus_ret`: a `remote_vcpu_info` per vCPU, and the
/// CPU maps (maxinfo × maplen bytes).
public struct DomainGetVcpusRet: XDRCodable, Hashable {
    /// `remote_vcpu_info`.
    public struct VcpuInfo: XDRCodable, Hashable {
        public var number: UInt32
        public var state: Int32
        public var cpuTime: UInt64
        public var cpu: Int32
        public init(number: UInt32, state: Int32, cpuTime: UInt64, cpu: Int32) {
            self.number = number
            self.state = state
            self.cpuTime = cpuTime
            self.cpu = cpu
        }
        public init(from d: inout XDRDecoder) throws(RemoteError) {
            number = try d.uint32()
            state = try d.int32()
            cpuTime = try d.uint64()
            cpu = try d.int32()
        }
        public func encode(to e: inout XDREncoder) throws(RemoteError) {
            e.uint32(number)
            e.int32(state)
            e.uint64(cpuTime)
            e.int32(cpu)
        }
    }

    public var info: [VcpuInfo]
    public var cpumaps: [UInt8]
    public init(info: [VcpuInfo], cpumaps: [UInt8]) {
        self.info = info
        self.cpumaps = cpumaps
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        info = try d.array(VcpuInfo.self, max: RemoteProtocolLimits.vcpuInfoMax, minElementSize: 20)
        cpumaps = try d.opaque(max: RemoteProtocolLimits.cpuMapsMax)
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.array(info, max: RemoteProtocolLimits.vcpuInfoMax)
        try e.opaque(cpumaps, max: RemoteProtocolLimits.cpuMapsMax)
    }
}
