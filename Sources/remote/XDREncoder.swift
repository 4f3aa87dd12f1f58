/// Writes XDR (RFC 4506) as libvirt's rpcgen code does: big-endian 4-byte
/// units, variable data length-prefixed and padded to 4 bytes. Every
/// variable-length item is checked against its protocol maximum, so this
/// side never sends what the other side must refuse.
///
/// libvirt: the `xdr_*` routines rpcgen generates from src/remote/remote_protocol.x.
public struct XDREncoder: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// `int`, and every enum.
    public mutating func int32(_ v: Int32) { uint32(UInt32(bitPattern: v)) }

    /// `unsigned int`; also `unsigned char` and `unsigned short`, which XDR
    /// widens to four bytes.
    public mutating func uint32(_ v: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: v >> 24))
        bytes.append(UInt8(truncatingIfNeeded: v >> 16))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    /// `hyper`.
    public mutating func int64(_ v: Int64) { uint64(UInt64(bitPattern: v)) }

    /// `unsigned hyper`.
    public mutating func uint64(_ v: UInt64) {
        uint32(UInt32(truncatingIfNeeded: v >> 32))
        uint32(UInt32(truncatingIfNeeded: v))
    }

    /// `double`: IEEE 754 binary64, big-endian.
    public mutating func double(_ v: Double) { uint64(v.bitPattern) }

    /// `bool` (`int` 0 or 1, as libvirt sends its `int` flags).
    public mutating func bool(_ v: Bool) { int32(v ? 1 : 0) }

    /// `opaque x[N]`: fixed length, padded.
    public mutating func fixedOpaque(_ data: [UInt8], length: Int) throws(RemoteError) {
        guard data.count == length else {
            throw RemoteError.rpc("fixed opaque of \(data.count) bytes where \(length) are required")
        }
        bytes.append(contentsOf: data)
        pad(data.count)
    }

    /// `opaque x<max>`: length, bytes, padding.
    public mutating func opaque(_ data: [UInt8], max: Int) throws(RemoteError) {
        guard data.count <= max else {
            throw RemoteError.rpc("opaque data of \(data.count) bytes exceeds the limit of \(max)")
        }
        uint32(UInt32(data.count))
        bytes.append(contentsOf: data)
        pad(data.count)
    }

    /// `string x<max>`: the UTF-8 bytes, without a NUL.
    public mutating func string(_ s: String, max: Int = RemoteProtocolLimits.stringMax) throws(RemoteError) {
        let utf8 = Array(s.utf8)
        guard utf8.count <= max else {
            throw RemoteError.rpc("string of \(utf8.count) bytes exceeds the limit of \(max)")
        }
        guard !utf8.contains(0) else {
            throw RemoteError.rpc("string contains a NUL byte")
        }
        uint32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
        pad(utf8.count)
    }

    /// `string *x` (`remote_string`): a present flag, then the string.
    public mutating func optionalString(_ s: String?, max: Int = RemoteProtocolLimits.stringMax) throws(RemoteError) {
        if let s {
            bool(true)
            try string(s, max: max)
        } else {
            bool(false)
        }
    }

    /// `char x<max>`: a C string sent as rpcgen sends a variable array of
    /// `char`, each byte widened to four, NUL included (libvirt's security
    /// model and label replies).
    public mutating func charArray(_ s: String, max: Int) throws(RemoteError) {
        let utf8 = Array(s.utf8) + [0]
        guard utf8.count <= max else {
            throw RemoteError.rpc("char array of \(utf8.count) bytes exceeds the limit of \(max)")
        }
        uint32(UInt32(utf8.count))
        for b in utf8 { int32(Int32(Int8(bitPattern: b))) }
    }

    /// `T *x`: a present flag, then the value.
    public mutating func optional<T: XDREncodable>(_ v: T?) throws(RemoteError) {
        if let v {
            bool(true)
            try v.encode(to: &self)
        } else {
            bool(false)
        }
    }

    /// `T x<max>`: the count, then each element.
    public mutating func array<T: XDREncodable>(_ items: [T], max: Int) throws(RemoteError) {
        guard items.count <= max else {
            throw RemoteError.rpc("array of \(items.count) elements exceeds the limit of \(max)")
        }
        uint32(UInt32(items.count))
        for i in items { try i.encode(to: &self) }
    }

    /// Any encodable value.
    public mutating func encode<T: XDREncodable>(_ v: T) throws(RemoteError) {
        try v.encode(to: &self)
    }

    private mutating func pad(_ count: Int) {
        let r = count & 3
        if r != 0 { bytes.append(contentsOf: repeatElement(0, count: 4 - r)) }
    }
}
