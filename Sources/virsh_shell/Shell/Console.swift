import Glibc

/// virsh's output: results on stdout, `error: ...` lines and progress on
/// stderr. Every piece goes straight to its descriptor, as virsh flushes
/// after every print, so that `2>&1` interleaves the two correctly.
enum Console {
    static func write(_ fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { write(fd, $0) }
    }

    static func write(_ fd: Int32, _ buf: UnsafeBufferPointer<UInt8>) {
        guard let base = buf.baseAddress else { return }
        var off = 0
        while off < buf.count {
            let n = Glibc.write(fd, base + off, buf.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            off += n
        }
    }

    /// Bytes as they came (a console's output), to stdout.
    static func writeRaw(_ bytes: [UInt8]) { bytes.withUnsafeBufferPointer { write(STDOUT_FILENO, $0) } }

    static func out(_ text: String) { write(STDOUT_FILENO, text) }
    static func err(_ text: String) { write(STDERR_FILENO, text) }
}

/// A column layout as virsh prints its tables: each cell after a space,
/// columns padded to their widest cell plus two, a dashed line under the
/// header (left out in quiet mode, together with the header).
///
/// libvirt: `vshTable` (tools/vsh-table.c).
struct Table {
    let header: [String]
    private(set) var rows: [[String]] = []

    init(_ header: String...) {
        self.header = header
    }

    mutating func append(_ row: String...) {
        rows.append(row)
    }

    /// The table as text; `withHeader` false in quiet mode.
    func render(withHeader: Bool) -> String {
        let all = withHeader ? [header] + rows : rows
        let cells = all.map { $0.map(Self.encode) }
        var widths = [Int](repeating: 0, count: header.count)
        for row in cells {
            for (j, c) in row.enumerated() where j < widths.count { widths[j] = max(widths[j], c.width) }
        }
        var out = ""
        func line(_ row: [(text: String, width: Int)]) {
            for (j, c) in row.enumerated() {
                out += " " + c.text
                if j < row.count - 1 { out += String(repeating: " ", count: widths[j] - c.width + 2) }
            }
            out += "\n"
        }
        for (i, row) in cells.enumerated() {
            line(row)
            if withHeader && i == 0 {
                out += String(repeating: "-", count: widths.reduce(0) { $0 + $1 + 3 })
                out += "\n"
            }
        }
        return out
    }

    /// Control characters and a literal `\x` become `\xNN` so that widths
    /// stay right (libvirt: `vshTableSafeEncode`).
    static func encode(_ s: String) -> (text: String, width: Int) {
        var text = ""
        var width = 0
        let bytes = Array(s.utf8)
        var i = 0
        func hex(_ b: UInt8) {
            let digits = Array("0123456789abcdef")
            text += "\\x" + String(digits[Int(b >> 4)]) + String(digits[Int(b & 15)])
            width += 4
        }
        while i < bytes.count {
            let b = bytes[i]
            if (b == 0x5C && i + 1 < bytes.count && bytes[i + 1] == 0x78) || b < 0x20 || b == 0x7F {
                hex(b)
                i += 1
                continue
            }
            // One UTF-8 character: its bytes, width one.
            var n = 1
            if b >= 0xF0 { n = 4 } else if b >= 0xE0 { n = 3 } else if b >= 0xC0 { n = 2 }
            let end = min(i + n, bytes.count)
            text += String(decoding: bytes[i..<end], as: UTF8.self)
            width += 1
            i = end
        }
        return (text, width)
    }
}
