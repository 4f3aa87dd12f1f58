/// libvirt: `remote_domain_get_messages_ret`
/// (`remote_nonnull_string msgs<REMOTE_DOMAIN_MESSAGES_MAX>`).
public struct DomainGetMessagesRet: XDRCodable, Hashable {
    /// `REMOTE_DOMAIN_MESSAGES_MAX`.
    public static let max = 2048
    public var msgs: [String]
    public init(_ msgs: [String]) { self.msgs = msgs }
    public init(from d: inout XDRDecoder) throws(RemoteError) {
        msgs = try d.array(StringValue.self, max: Self.max).map(\.value)
    }
    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        try e.array(msgs.map(StringValue.init), max: Self.max)
    }
}
