/// Reads XDR (RFC 4506) with a bound on everything: a length is checked
/// against its protocol maximum and against the bytes that are really left
/// before anything is allocated, so a hostile length (2 GiB, -1) is an
/// error, never an allocation or a crash.
///
/// libvirt: the `xdr_*` routines rpcgen generates, as
/// `virNetMessageDecodePayload` runs them.
public struct XDRDecoder: Sendable {
    private let bytes: [UInt8]
    /// The next byte to read.
    public private(set) var offset: Int
    private let end: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = min(max(offset, 0), bytes.count)
        self.end = bytes.count
    }

    /// Bytes not read yet.
    public var remaining: Int { end - offset }

    /// Whether everything was read.
    public var isAtEnd: Bool { offset == end }

    private mutating func take(_ n: Int) throws(RemoteError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else {
            throw RemoteError.rpc("XDR data truncated: \(n) bytes wanted, \(remaining) left")
        }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    public mutating func uint32() throws(RemoteError) -> UInt32 {
        let s = try take(4)
        var v: UInt32 = 0
        for b in s { v = v << 8 | UInt32(b) }
        return v
    }

    public mutating func int32() throws(RemoteError) -> Int32 { Int32(bitPattern: try uint32()) }

    public mutating func uint64() throws(RemoteError) -> UInt64 {
        let hi = try uint32()
        let lo = try uint32()
        return UInt64(hi) << 32 | UInt64(lo)
    }

    public mutating func int64() throws(RemoteError) -> Int64 { Int64(bitPattern: try uint64()) }

    public mutating func double() throws(RemoteError) -> Double { Double(bitPattern: try uint64()) }

    /// XDR `bool`: 0 or 1, anything else is malformed.
    public mutating func bool() throws(RemoteError) -> Bool {
        switch try uint32() {
        case 0: return false
        case 1: return true
        case let v: throw RemoteError.rpc("XDR boolean with value \(v)")
        }
    }

    /// A length word checked against `max` and against what is left
    /// (each element taking at least `unit` bytes).
    private mutating func length(max: Int, unit: Int, what: String) throws(RemoteError) -> Int {
        let raw = try uint32()
        guard raw <= UInt32(max) else {
            throw RemoteError.rpc("\(what) of length \(raw) exceeds the limit of \(max)")
        }
        let n = Int(raw)
        guard n <= remaining / Swift.max(unit, 1) else {
            throw RemoteError.rpc("XDR data truncated: \(what) of length \(n) with \(remaining) bytes left")
        }
        return n
    }

    private mutating func skipPadding(_ count: Int) throws(RemoteError) {
        let r = count & 3
        guard r != 0 else { return }
        _ = try take(4 - r)
    }

    /// `opaque x[N]`.
    public mutating func fixedOpaque(length n: Int) throws(RemoteError) -> [UInt8] {
        let s = Array(try take(n))
        try skipPadding(n)
        return s
    }

    /// `opaque x<max>`.
    public mutating func opaque(max: Int) throws(RemoteError) -> [UInt8] {
        let n = try length(max: max, unit: 1, what: "opaque data")
        let s = Array(try take(n))
        try skipPadding(n)
        return s
    }

    /// `string x<max>`. A NUL inside the string is malformed (libvirt's C
    /// strings would end there).
    public mutating func string(max: Int = RemoteProtocolLimits.stringMax) throws(RemoteError) -> String {
        let n = try length(max: max, unit: 1, what: "string")
        let s = try take(n)
        guard !s.contains(0) else { throw RemoteError.rpc("string contains a NUL byte") }
        try skipPadding(n)
        return String(decoding: s, as: UTF8.self)
    }

    /// `char x<max>`: a C string as a variable array of 4-byte chars; the
    /// text up to the first NUL.
    public mutating func charArray(max: Int) throws(RemoteError) -> String {
        let n = try length(max: max, unit: 4, what: "char array")
        var out: [UInt8] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(UInt8(truncatingIfNeeded: try int32())) }
        if let nul = out.firstIndex(of: 0) { out.removeSubrange(nul...) }
        return String(decoding: out, as: UTF8.self)
    }

    /// `string *x` (`remote_string`).
    public mutating func optionalString(max: Int = RemoteProtocolLimits.stringMax) throws(RemoteError) -> String? {
        try bool() ? try string(max: max) : nil
    }

    /// `T *x`.
    public mutating func optional<T: XDRDecodable>(_: T.Type = T.self) throws(RemoteError) -> T? {
        try bool() ? try T(from: &self) : nil
    }

    /// `T x<max>`: every element takes at least `minElementSize` bytes,
    /// which bounds the count by the bytes left before decoding any.
    public mutating func array<T: XDRDecodable>(_: T.Type = T.self, max: Int, minElementSize: Int = 4) throws(RemoteError) -> [T] {
        let n = try length(max: max, unit: minElementSize, what: "array")
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try T(from: &self)) }
        return out
    }

    /// Any decodable value.
    public mutating func decode<T: XDRDecodable>(_: T.Type = T.self) throws(RemoteError) -> T {
        try T(from: &self)
    }
}
