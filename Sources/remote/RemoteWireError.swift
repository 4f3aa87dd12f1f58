import libvirt_abi

/// An error as a reply carries it (status `VIR_NET_ERROR`).
///
/// libvirt: `struct remote_error` (src/remote/remote_protocol.x), the same
/// layout as `virNetMessageError` (src/rpc/virnetprotocol.x); filled by
/// `virNetMessageSaveError` from a `virError`.
public struct RemoteWireError: XDRCodable, Hashable, LibvirtError {
    /// `virErrorNumber`.
    public var codeNumber: Int32
    /// `virErrorDomain`.
    public var domainNumber: Int32
    /// The whole message, as `virGetLastErrorMessage` gives it.
    public var messageText: String?
    /// `virErrorLevel`: 2 is `VIR_ERR_ERROR`.
    public var level: Int32
    /// Unused by libvirt (always absent).
    public var dom: RemoteDomain?
    /// The code's message layout (`virErrorMsg`).
    public var str1: String?
    /// The detail.
    public var str2: String?
    public var str3: String?
    public var int1: Int32
    public var int2: Int32

    /// `VIR_ERR_ERROR`.
    public static let levelError: Int32 = 2

    public init(codeNumber: Int32, domainNumber: Int32, messageText: String?, level: Int32 = RemoteWireError.levelError,
                str1: String? = nil, str2: String? = nil, str3: String? = nil, int1: Int32 = -1, int2: Int32 = -1) {
        self.codeNumber = codeNumber
        self.domainNumber = domainNumber
        self.messageText = messageText
        self.level = level
        self.dom = nil
        self.str1 = str1
        self.str2 = str2
        self.str3 = str3
        self.int1 = int1
        self.int2 = int2
    }

    /// The wire form of any module's error, as `virReportErrorHelper`
    /// raises it and `virNetMessageSaveError` copies it: the message, the
    /// code's layout in `str1`, the detail in `str2`. Messages longer than
    /// the protocol allows are cut (at a character boundary).
    public init(_ error: any LibvirtError) {
        self.init(codeNumber: error.code.rawValue, domainNumber: error.domain.rawValue,
                  messageText: Self.clip(error.message),
                  str1: Self.clip(error.code.format(error.detail == nil ? nil : "%s")),
                  str2: error.detail.map(Self.clip))
    }

    private static func clip(_ s: String) -> String {
        let max = RemoteProtocolLimits.netStringMax
        let noNUL = s.contains("\0") ? s.replacingOccurrences(of: "\0", with: " ") : s
        guard noNUL.utf8.count > max else { return noNUL }
        var out = ""
        out.reserveCapacity(max)
        var used = 0
        for ch in noNUL {
            let n = ch.utf8.count
            if used + n > max { break }
            out.append(ch)
            used += n
        }
        return out
    }

    // LibvirtError: a client prints the message the server sent.
    public var code: ErrorNumber { ErrorNumber(rawValue: codeNumber) }
    public var domain: ErrorDomain { ErrorDomain(rawValue: domainNumber) }
    public var detail: String? { str2 }
    public var message: String { messageText ?? code.format(str2) }

    public init(from d: inout XDRDecoder) throws(RemoteError) {
        let max = RemoteProtocolLimits.netStringMax
        codeNumber = try d.int32()
        domainNumber = try d.int32()
        messageText = try d.optionalString(max: max)
        level = try d.int32()
        dom = try d.optional(RemoteDomain.self)
        str1 = try d.optionalString(max: max)
        str2 = try d.optionalString(max: max)
        str3 = try d.optionalString(max: max)
        int1 = try d.int32()
        int2 = try d.int32()
        // `net`, a remote_network nobody fills: decode and drop it.
        if try d.bool() {
            _ = try d.string(max: max)
            _ = try d.fixedOpaque(length: RemoteProtocolLimits.uuidLength)
        }
    }

    public func encode(to e: inout XDREncoder) throws(RemoteError) {
        let max = RemoteProtocolLimits.netStringMax
        e.int32(codeNumber)
        e.int32(domainNumber)
        try e.optionalString(messageText, max: max)
        e.int32(level)
        try e.optional(dom)
        try e.optionalString(str1, max: max)
        try e.optionalString(str2, max: max)
        try e.optionalString(str3, max: max)
        e.int32(int1)
        e.int32(int2)
        e.bool(false)
    }
}
