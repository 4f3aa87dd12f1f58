import Glibc

/// libvirt's string-to-number conversions, on `strtoull`/`strtol` as
/// libvirt calls them, so that the map and /proc/cpuinfo are read with the
/// same leniency (leading spaces, `0x`, octal with base 0) and the same
/// refusals.
///
/// libvirt: src/util/virstring.c.
enum LibvirtNumber {
    /// The whole string as a non-negative 32-bit number.
    ///
    /// libvirt: `virStrToLong_uip(s, NULL, base, &result)`.
    static func uip(_ s: String, base: Int32) -> UInt32? {
        let bytes = Array(s.utf8CString)
        return bytes.withUnsafeBufferPointer { buffer -> UInt32? in
            guard let start = buffer.baseAddress else { return nil }
            guard let (value, consumed) = strtoull(start, base: base) else { return nil }
            let text = buffer[0..<consumed]
            guard !text.contains(CChar(UInt8(ascii: "-"))),
                  buffer[consumed] == 0,
                  value <= UInt64(UInt32.max) else { return nil }
            return UInt32(value)
        }
    }

    /// A 32-bit number at the start of `s`, what follows it ignored; a
    /// negative number wraps around as libvirt lets it.
    ///
    /// libvirt: `virStrToLong_ui(s, &end, base, &result)`.
    static func uiPrefix(_ s: Substring, base: Int32) -> UInt32? {
        let bytes = Array(String(s).utf8CString)
        return bytes.withUnsafeBufferPointer { buffer -> UInt32? in
            guard let start = buffer.baseAddress else { return nil }
            guard var (value, consumed) = strtoull(start, base: base) else { return nil }
            if buffer[0..<consumed].contains(CChar(UInt8(ascii: "-"))) {
                guard 0 &- value <= UInt64(UInt32.max) else { return nil }
                value &= UInt64(UInt32.max)
            }
            guard value <= UInt64(UInt32.max) else { return nil }
            return UInt32(value)
        }
    }

    /// `strtoull` with libvirt's checks: something was read and `errno`
    /// stayed 0. Returns the value and how many bytes it took.
    private static func strtoull(_ start: UnsafePointer<CChar>, base: Int32) -> (UInt64, Int)? {
        var end: UnsafeMutablePointer<CChar>?
        errno = 0
        let value = Glibc.strtoull(start, &end, base)
        let failed = errno != 0
        guard let end else { return nil }
        let consumed = start.distance(to: UnsafePointer(end))
        guard !failed, consumed > 0 else { return nil }
        return (UInt64(value), consumed)
    }

    /// A bitmap of `size` bits written as libvirt writes them: `N`, `N-M`
    /// and `^N`, comma-separated, spaces allowed around them.
    ///
    /// libvirt: `virBitmapParse` (`virBitmapParseInternal`, limited).
    static func bitmap(_ s: String, size: Int) -> [Bool]? {
        var bits = [Bool](repeating: false, count: size)
        let bytes = Array(s.utf8CString)
        let ok = bytes.withUnsafeBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            var cur = 0
            func at(_ i: Int) -> UInt8 { UInt8(bitPattern: buffer[i]) }
            func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0d) }
            func skipSpaces() { while isSpace(at(cur)) { cur += 1 } }
            func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
            // virStrToLong_i(cur, &end, 10): strtol, an int, something read.
            func int() -> Int? {
                var end: UnsafeMutablePointer<CChar>?
                errno = 0
                let value = strtol(base + cur, &end, 10)
                let failed = errno != 0
                guard let end else { return nil }
                let next = base.distance(to: UnsafePointer(end))
                guard !failed, next > cur, let v = Int32(exactly: value) else { return nil }
                cur = next
                return Int(v)
            }
            skipSpaces()
            if at(cur) == 0 { return false }
            var negative = false
            while at(cur) != 0 {
                if at(cur) == UInt8(ascii: "^") {
                    cur += 1
                    negative = true
                }
                guard isDigit(at(cur)), let start = int(), start >= 0 else { return false }
                skipSpaces()
                if at(cur) == UInt8(ascii: ",") || at(cur) == 0 {
                    guard start < size else { return false }
                    bits[start] = !negative
                } else if at(cur) == UInt8(ascii: "-") {
                    if negative { return false }
                    cur += 1
                    skipSpaces()
                    guard let last = int(), last >= start else { return false }
                    for i in start...last {
                        guard i < size else { return false }
                        bits[i] = true
                    }
                    skipSpaces()
                }
                if at(cur) == UInt8(ascii: ",") {
                    cur += 1
                    skipSpaces()
                    negative = false
                } else if at(cur) != 0 {
                    return false
                }
            }
            return true
        }
        return ok ? bits : nil
    }
}
