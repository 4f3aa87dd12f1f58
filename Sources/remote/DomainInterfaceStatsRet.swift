/// `remote_domain_interface_stats_ret`: eight counters, -1 for one the
/// driver cannot say (the args are a domain and the device:
/// `DomainXMLArgs`' layout).
public struct DomainInterfaceStatsRet: XDRCodable, Hashable {
    public var values: [Int64]
    public init(values: [Int64]) { self.values = values }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        var v: [Int64] = []
        for _ in 0..<8 { v.append(try d.int64()) }
        values = v
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        for i in 0..<8 { e.int64(i < values.count ? values[i] : -1) }
    }
}
