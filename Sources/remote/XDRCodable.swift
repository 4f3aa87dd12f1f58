/// A value with an XDR encoding (an rpcgen `xdr_*` encoder).
public protocol XDREncodable: Sendable {
    func encode(to e: inout XDREncoder) throws(RemoteError)
}

/// A value with an XDR decoding (an rpcgen `xdr_*` decoder), bounded.
public protocol XDRDecodable: Sendable {
    init(from d: inout XDRDecoder) throws(RemoteError)
}

/// Both directions.
public typealias XDRCodable = XDREncodable & XDRDecodable

/// `void`: the args or return of a procedure that has none.
public struct XDRVoid: XDRCodable, Equatable {
    public init() {}
    public init(from d: inout XDRDecoder) throws(RemoteError) {}
    public func encode(to e: inout XDREncoder) throws(RemoteError) {}
}

extension XDREncodable {
    /// The value's encoding alone.
    public func xdrBytes() throws(RemoteError) -> [UInt8] {
        var e = XDREncoder()
        try encode(to: &e)
        return e.bytes
    }
}

extension XDRDecodable {
    /// Decodes a whole payload. Trailing bytes are tolerated, as libvirt's
    /// `virNetMessageDecodePayload` does.
    public init(xdr bytes: [UInt8], offset: Int = 0) throws(RemoteError) {
        var d = XDRDecoder(bytes, offset: offset)
        self = try Self(from: &d)
    }
}
