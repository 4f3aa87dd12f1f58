/// A set of small non-negative integers written as libvirt writes CPU and
/// node sets: `0-3,8,10-11`.
///
/// libvirt: `virBitmap` (src/util/virbitmap.c), only its string forms.
public enum VirBitmap {
    /// Parses `0-3,8,10-11` (spaces and a trailing newline allowed, as in
    /// sysfs); parts that are not numbers or ranges are skipped.
    ///
    /// libvirt: `virBitmapParseUnlimited`, lenient as sysfs needs.
    public static func parse(_ text: String) -> Set<UInt32> {
        var out: Set<UInt32> = []
        for part in text.split(whereSeparator: { $0 == "," || $0.isWhitespace }) {
            let ends = part.split(separator: "-").compactMap { UInt32($0) }
            if ends.count == 2, ends[0] <= ends[1] {
                out.formUnion(ends[0]...ends[1])
            } else if ends.count == 1, !part.contains("-") {
                out.insert(ends[0])
            }
        }
        return out
    }

    /// Runs of consecutive members as `a-b`, single members as `a`,
    /// comma-separated, in increasing order; `""` for the empty set.
    ///
    /// libvirt: `virBitmapFormat`.
    public static func format(_ members: some Sequence<UInt32>) -> String {
        let sorted = Set(members).sorted()
        var parts: [String] = []
        var i = 0
        while i < sorted.count {
            var j = i
            while j + 1 < sorted.count, sorted[j + 1] == sorted[j] + 1 { j += 1 }
            parts.append(i == j ? "\(sorted[i])" : "\(sorted[i])-\(sorted[j])")
            i = j + 1
        }
        return parts.joined(separator: ",")
    }
}
