/// libvirt: `remote_domain_get_job_info_ret` (`virDomainJobInfo`).
public struct DomainGetJobInfoRet: XDRCodable, Hashable {
    /// `virDomainJobType`.
    public var type: Int32
    public var timeElapsed: UInt64 = 0
    public var timeRemaining: UInt64 = 0
    public var dataTotal: UInt64 = 0
    public var dataProcessed: UInt64 = 0
    public var dataRemaining: UInt64 = 0
    public var memTotal: UInt64 = 0
    public var memProcessed: UInt64 = 0
    public var memRemaining: UInt64 = 0
    public var fileTotal: UInt64 = 0
    public var fileProcessed: UInt64 = 0
    public var fileRemaining: UInt64 = 0

    public init(type: Int32) { self.type = type }

    public init(from d: inout XDRDecoder) throws(RemoteError) {
        type = try d.int32()
        timeElapsed = try d.uint64()
        timeRemaining = try d.uint64()
        dataTotal = try d.uint64()
        dataProcessed = try d.uint64()
        dataRemaining = try d.uint64()
        memTotal = try d.uint64()
        memProcessed = try d.uint64()
        memRemaining = try d.uint64()
        fileTotal = try d.uint64()
        fileProcessed = try d.uint64()
        fileRemaining = try d.uint64()
    }

    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        e.int32(type)
        for v in [timeElapsed, timeRemaining, dataTotal, dataProcessed, dataRemaining, memTotal, memProcessed,
                  memRemaining, fileTotal, fileProcessed, fileRemaining] {
            e.uint64(v)
        }
    }
}
