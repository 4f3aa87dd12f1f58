/// libvirt: `remote_auth_list_ret` (`remote_auth_type types<REMOTE_AUTH_TYPE_LIST_MAX>`).
public struct AuthListRet: XDRCodable, Hashable {
    /// `REMOTE_AUTH_NONE`.
    public static let none: Int32 = 0
    /// `REMOTE_AUTH_SASL`.
    public static let sasl: Int32 = 1
    /// `REMOTE_AUTH_POLKIT`.
    public static let polkit: Int32 = 2

    public var types: [Int32]
    public init(types: [Int32]) { self.types = types }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        types = try d.array(IntValue.self, max: RemoteProtocolLimits.authTypeListMax).map(\.value)
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.array(types.map(IntValue.init), max: RemoteProtocolLimits.authTypeListMax)
    }
}
