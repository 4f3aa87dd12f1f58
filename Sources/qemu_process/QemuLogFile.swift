import libvirt_abi
import Foundation
import Glibc

/// A domain's QEMU log: one file per name, opened with `O_APPEND`, so that
/// every instance of the domain adds to one continuous history. Each
/// instance starts with a header line naming its id and emulator; QEMU's
/// own output (stdout and stderr) follows.
///
/// libvirt: `qemuDomainLogContext` (src/qemu/qemu_logcontext.c) and
/// `qemuLogOperation`.
public struct QemuLogFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Opens the log for appending (`O_APPEND | O_CREAT`, mode 0600).
    /// - Returns: the descriptor and the offset where this instance's part
    ///   begins.
    func openForInstance() throws(VirError) -> (fd: Int32, offset: Int) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw VirError.system(errno, "failed to create logfile \(path)") }
        let offset = Int(lseek(fd, 0, SEEK_END))
        return (fd, max(offset, 0))
    }

    /// Appends one line with libvirt's timestamp prefix
    /// (`2026-11-26 23:45:32.123+0000: ...`).
    func append(fd: Int32, _ text: String) {
        let line = Self.timestamp() + ": " + text + (text.hasSuffix("\n") ? "" : "\n")
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Appends a line to the log by path (after the instance is gone).
    public func appendLine(_ text: String) {
        append(text)
    }

    func append(_ text: String) {
        do {
            let (fd, _) = try openForInstance()
            defer { close(fd) }
            append(fd: fd, text)
        } catch {
            QemuProcess.log.warning("cannot append to the domain log: \(error)", metadata: ["domain": "\(path)", "step": "log"])
        }
    }

    /// What QEMU wrote after `offset`, without the driver's own lines, at
    /// most the last `max` bytes: what libvirt puts in start errors.
    ///
    /// libvirt: `qemuProcessReadLog`.
    func read(from offset: Int, max: Int = 1024) -> String {
        // What QEMU said is a detail of an error being reported: when the
        // log cannot be read, the error goes out without it.
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: UInt64(offset))) != nil else { return "" }
        let data = (try? handle.readToEnd()) ?? Data()
        var lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        // The driver's own lines (its timestamp, "2026-12-03 06:29:19.118+0000: "),
        // the command line, QEMU's pty notices: libvirt's virLogProbablyLogMessage.
        lines.removeAll { Self.isDriverLine($0) || $0.hasPrefix("LC_ALL=") || $0.contains("char device redirected to") }
        var text = lines.joined(separator: "\n")
        if text.utf8.count > max {
            let tail = text.utf8.suffix(max)
            text = String(decoding: tail, as: UTF8.self)
            if let nl = text.firstIndex(of: "\n"), text.index(after: nl) < text.endIndex {
                text = String(text[text.index(after: nl)...])
            }
        }
        return text
    }

    /// What QEMU wrote since instance `id` started (its "starting up
    /// instance" line), as `read(from:)` gives it; empty when that line is
    /// not in the log.
    public func read(sinceStartOf id: Int, max: Int = 1024) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        let marker = Array(": starting up instance id \(id) (".utf8)
        let bytes = [UInt8](data)
        guard bytes.count >= marker.count else { return "" }
        var i = bytes.count - marker.count
        while i >= 0 {
            if bytes[i] == marker[0] && Array(bytes[i..<(i + marker.count)]) == marker {
                let lineStart = bytes[..<i].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
                return read(from: lineStart, max: max)
            }
            i -= 1
        }
        return ""
    }

    /// A line the driver wrote: its timestamp (`YYYY-MM-DD HH:MM:SS.mmm+0000: `)
    /// first, which QEMU's own (`YYYY-MM-DDTHH:MM:SS.uuuuuuZ`) is not.
    static func isDriverLine(_ line: Substring) -> Bool {
        let b = Array(line.utf8.prefix(30))
        func digits(_ r: Range<Int>) -> Bool { r.allSatisfy { $0 < b.count && b[$0] >= 0x30 && b[$0] <= 0x39 } }
        return b.count >= 30 && digits(0..<4) && b[4] == 0x2D && digits(5..<7) && b[7] == 0x2D && digits(8..<10) && b[10] == 0x20
            && digits(11..<13) && b[13] == 0x3A && digits(14..<16) && b[16] == 0x3A && digits(17..<19) && b[19] == 0x2E
            && digits(20..<23) && (b[23] == 0x2B || b[23] == 0x2D) && digits(24..<28) && b[28] == 0x3A && b[29] == 0x20
    }

    static func timestamp() -> String {
        var tv = timeval()
        gettimeofday(&tv, nil)
        var t = tv.tv_sec
        var tmv = tm()
        gmtime_r(&t, &tmv)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d.%03d+0000", tmv.tm_year + 1900, tmv.tm_mon + 1, tmv.tm_mday,
                      tmv.tm_hour, tmv.tm_min, tmv.tm_sec, Int(tv.tv_usec / 1000))
    }
}
