/// One message on the wire: a 4-byte big-endian length that counts itself,
/// the header, then the payload.
///
/// libvirt: `virNetMessage` with `virNetMessageEncodeHeader`,
/// `virNetMessageDecodeLength`, `virNetMessageDecodeHeader`
/// (src/rpc/virnetmessage.c).
public struct RemoteMessage: Sendable, Equatable {
    public var header: MessageHeader
    /// The XDR payload after the header.
    public var payload: [UInt8]

    public init(header: MessageHeader, payload: [UInt8] = []) {
        self.header = header
        self.payload = payload
    }

    /// A message whose payload is `body`'s encoding.
    public init<T: XDREncodable>(header: MessageHeader, body: T) throws(RemoteError) {
        self.header = header
        self.payload = try body.xdrBytes()
    }

    /// An event the server sends unasked (`VIR_NET_MESSAGE`, serial 1, as
    /// libvirtd sends them).
    public init<T: XDREncodable>(event procedure: RemoteProcedure, body: T) throws(RemoteError) {
        try self.init(header: MessageHeader(program: RemoteProgram.remote, version: RemoteProgram.remoteVersion,
                                            procedure: procedure.rawValue, type: .message, serial: 1), body: body)
    }

    /// The largest value the length word may hold: the length word itself
    /// plus `VIR_NET_MESSAGE_MAX` (libvirt subtracts the word, then
    /// compares with the maximum).
    public static let maxFrameLength = RemoteProtocolLimits.lengthWord + RemoteProtocolLimits.messageMax

    /// Checks a length word and returns how many bytes follow it.
    ///
    /// libvirt: `virNetMessageDecodeLength`.
    public static func bodyLength(lengthWord b: [UInt8]) throws(RemoteError) -> Int {
        guard b.count == RemoteProtocolLimits.lengthWord else {
            throw RemoteError.rpc("Unable to decode message length")
        }
        let len = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
        // libvirt reads the word as a signed int: anything past INT_MAX is negative, so too small.
        let signed = Int32(bitPattern: len)
        guard signed >= Int32(RemoteProtocolLimits.lengthWord) else {
            throw RemoteError.rpc("packet \(signed) bytes received from server too small, want \(RemoteProtocolLimits.lengthWord)")
        }
        let body = Int(signed) - RemoteProtocolLimits.lengthWord
        guard body <= RemoteProtocolLimits.messageMax else {
            throw RemoteError.rpc("packet \(body) bytes received from server too large, want \(RemoteProtocolLimits.messageMax)")
        }
        return body
    }

    /// Decodes what follows a length word: the header, and the rest as
    /// payload.
    public init(body: [UInt8]) throws(RemoteError) {
        guard body.count >= MessageHeader.size, body.count <= RemoteProtocolLimits.messageMax else {
            throw RemoteError.rpc("Unable to decode message header")
        }
        var d = XDRDecoder(body)
        header = try MessageHeader(from: &d)
        payload = Array(body[MessageHeader.size...])
    }

    /// The whole frame, length word first.
    public func framed() throws(RemoteError) -> [UInt8] {
        let total = RemoteProtocolLimits.lengthWord + MessageHeader.size + payload.count
        guard total - RemoteProtocolLimits.lengthWord <= RemoteProtocolLimits.messageMax else {
            throw RemoteError.rpc("message of \(total) bytes exceeds the limit of \(Self.maxFrameLength)")
        }
        var e = XDREncoder(capacity: total)
        e.uint32(UInt32(total))
        try header.encode(to: &e)
        var out = e.bytes
        out.append(contentsOf: payload)
        return out
    }

    /// Decodes the payload as `T`.
    public func decode<T: XDRDecodable>(_: T.Type = T.self) throws(RemoteError) -> T {
        var d = XDRDecoder(payload)
        return try T(from: &d)
    }
}
