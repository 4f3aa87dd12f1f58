/// A domain's UUID: sixteen bytes, parsed and printed as libvirt does.
///
/// libvirt: `virUUIDParse`, `virUUIDFormat`, `virUUIDGenerate` (src/util/viruuid.c).
public struct DomainUUID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses libvirt's liberal form: 32 hex digits, with '-' or ' '
    /// allowed between pairs and spaces around. `nil` when malformed.
    public init?(_ text: String) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        var it = text.utf8.makeIterator()
        var c = it.next()
        while let ch = c, ch == 0x20 || (0x09...0x0D).contains(ch) { c = it.next() }
        while bytes.count < 16 {
            guard let ch = c else { return nil }
            if ch == 0x2D || ch == 0x20 { c = it.next(); continue }
            guard let hi = DomainUUID.hexValue(ch), let lo = it.next().flatMap(DomainUUID.hexValue) else { return nil }
            bytes.append(hi << 4 | lo)
            c = it.next()
        }
        while let ch = c {
            guard ch == 0x20 || (0x09...0x0D).contains(ch) else { return nil }
            c = it.next()
        }
        self.init(bytes: bytes)
    }

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 16, "a UUID is 16 bytes")
        var h: UInt64 = 0, l: UInt64 = 0
        for i in 0..<8 { h = h << 8 | UInt64(bytes[i]) }
        for i in 8..<16 { l = l << 8 | UInt64(bytes[i]) }
        self.init(high: h, low: l)
    }

    /// A random RFC 4122 version 4 UUID, as libvirt generates one.
    public static func generate() -> DomainUUID {
        var g = SystemRandomNumberGenerator()
        var h = g.next() as UInt64
        var l = g.next() as UInt64
        h = (h & ~0xF000) | 0x4000
        l = (l & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        return DomainUUID(high: h, low: l)
    }

    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
    }

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lower case.
    public var description: String {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (i, b) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(0x2D) }
            out.append(hex[Int(b >> 4)])
            out.append(hex[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func < (a: DomainUUID, b: DomainUUID) -> Bool {
        (a.high, a.low) < (b.high, b.low)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}
