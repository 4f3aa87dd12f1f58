import libvirt_abi
import virutil
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
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw VirError.system(errno, "failed to create logfile \(path)") }
        let offset = Int(lseek(fd, 0, SEEK_END))
        return (fd, max(offset, 0))
    }

    /// Appends one line with libvirt's timestamp prefix
    /// (`2026-11-26 23:45:32.123+0000: ...`).
    func append(fd: Int32, _ text: String) {
        let line = VirTime.stringNowRaw() + ": " + text + (text.hasSuffix("\n") ? "" : "\n")
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
        // The driver's own lines (its timestamp, "2026-12-03 06:29:19.118+0000: ")
        // go, wherever they start: QEMU writes its timestamp and its message
        // in two writes, and a line of ours can land between them.
        let raw = String(decoding: data, as: UTF8.self)
        let ours = Self.driverLine.stringByReplacingMatches(in: raw, range: NSRange(raw.startIndex..., in: raw), withTemplate: "")
        var lines = ours.split(separator: "\n", omittingEmptySubsequences: true)
        // The command line, QEMU's pty notices: libvirt's virLogProbablyLogMessage.
        lines.removeAll { $0.hasPrefix("LC_ALL=") || $0.contains("char device redirected to") }
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

    /// A line the driver wrote (one write: its timestamp, `YYYY-MM-DD
    /// HH:MM:SS.mmm+0000: `, the text, the newline), which QEMU's own
    /// timestamp (`YYYY-MM-DDTHH:MM:SS.uuuuuuZ`) is not.
    // A constant pattern: it compiles.
    static let driverLine = try! NSRegularExpression(
        pattern: #"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}[+-]\d{4}: [^\n]*(\n|$)"#)

}
