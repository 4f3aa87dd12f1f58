/// libvirt: `remote_domain_get_info_ret` (`virDomainInfo`; `state` is an
/// `unsigned char` and `nrVirtCpu` an `unsigned short`, both widened to
/// four bytes by XDR).
public struct DomainGetInfoRet: XDRCodable, Hashable {
    public var state: UInt8
    /// KiB.
    public var maxMem: UInt64
    /// KiB.
    public var memory: UInt64
    public var nrVirtCpu: UInt16
    /// Nanoseconds.
    public var cpuTime: UInt64

    public init(state: UInt8, maxMem: UInt64, memory: UInt64, nrVirtCpu: UInt16, cpuTime: UInt64) {
        self.state = state
        self.maxMem = maxMem
        self.memory = memory
        self.nrVirtCpu = nrVirtCpu
        self.cpuTime = cpuTime
    }

    public init(from d: inout XDRDecoder) throws(RemoteError) {
        let s = try d.uint32()
        guard let state = UInt8(exactly: s) else { throw RemoteError.rpc("unsigned char out of range: \(s)") }
        self.state = state
        maxMem = try d.uint64()
        memory = try d.uint64()
        let n = try d.uint32()
        guard let cpus = UInt16(exactly: n) else { throw RemoteError.rpc("unsigned short out of range: \(n)") }
        nrVirtCpu = cpus
        cpuTime = try d.uint64()
    }

    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        e.uint32(UInt32(state))
        e.uint64(maxMem)
        e.uint64(memory)
        e.uint32(UInt32(nrVirtCpu))
        e.uint64(cpuTime)
    }
}
