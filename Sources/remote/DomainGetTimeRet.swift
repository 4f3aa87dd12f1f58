/// libvirt: `remote_domain_get_time_ret`.
public struct DomainGetTimeRet: XDRCodable, Hashable {
    public var seconds: Int64
    public var nseconds: UInt32
    public init(seconds: Int64, nseconds: UInt32) {
        self.seconds = seconds
        self.nseconds = nseconds
    }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        seconds = try d.int64()
        nseconds = try d.uint32()
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        e.int64(seconds)
        e.uint32(nseconds)
    }
}
