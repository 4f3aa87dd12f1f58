import libvirt_abi

/// Sizes with units, as libvirt reads and checks them.
///
/// libvirt: `virScaleInteger` (src/util/virutil.c), `virParseScaledValue`
/// (src/util/virxml.c), `virDomainParseMemory` (src/conf/domain_conf.c).
public enum ScaledInteger {
    /// libvirt's ceiling for memory sizes in bytes (`virMemoryMaxValue`).
    public static let maxMemoryBytes = UInt64(Int64.max)

    /// Scales `value` by `unit` (`nil` or empty: `defaultScale`).
    public static func scale(_ value: UInt64, unit: String?, defaultScale: UInt64, limit: UInt64) throws(VirError) -> UInt64 {
        let suffix = unit ?? ""
        var scale: UInt64
        if suffix.isEmpty {
            scale = defaultScale
        } else {
            let lower = suffix.lowercased()
            if lower == "b" || lower == "byte" || lower == "bytes" {
                scale = 1
            } else {
                let powers: [Character: Int] = ["k": 1, "m": 2, "g": 3, "t": 4, "p": 5, "e": 6]
                guard let first = lower.first, let power = powers[first] else {
                    throw VirError.conf(.invalidArg, "unknown suffix '\(suffix)'")
                }
                let rest = lower.dropFirst()
                let base: UInt64
                if rest.isEmpty || rest == "ib" { base = 1024 } else if rest == "b" { base = 1000 } else {
                    throw VirError.conf(.invalidArg, "unknown suffix '\(suffix)'")
                }
                scale = 1
                for _ in 0..<power { scale *= base }
            }
        }
        if value > limit / scale {
            throw VirError.conf(.overflow, "value too large: \(value)\(suffix)")
        }
        return value * scale
    }

    /// Reads a memory size and returns it in KiB, with libvirt's checks.
    ///
    /// - Parameter xpath: how libvirt names the value in its messages
    ///   (`./memory[1]`).
    public static func parseMemory(_ text: String, unit: String?, xpath: String) throws(VirError) -> UInt64 {
        guard let value = parseUnsigned(text) else {
            throw VirError.conf(.xmlError, "Invalid value '\(text)' for element or attribute '\(xpath)'")
        }
        let bytes = try scale(value, unit: unit, defaultScale: 1024, limit: maxMemoryBytes)
        let kib = bytes / 1024 + (bytes % 1024 == 0 ? 0 : 1)
        if kib >= maxMemoryBytes / 1024 + 1 {
            throw VirError.conf(.overflow, "size value too large")
        }
        return kib
    }

    /// libvirt's `virStrToLong_ullp`: decimal, optional surrounding
    /// whitespace, no sign.
    static func parseUnsigned(_ text: String) -> UInt64? {
        let t = text.trimmingXMLSpace()
        guard !t.isEmpty, t.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(t)
    }
}

extension String {
    func trimmingXMLSpace() -> Substring {
        var s = Substring(self)
        while let f = s.first, f.isXMLSpace { s.removeFirst() }
        while let l = s.last, l.isXMLSpace { s.removeLast() }
        return s
    }
}
