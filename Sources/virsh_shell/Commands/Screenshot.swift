import Foundation
import Glibc

/// `screenshot`: saves a picture of the guest's screen (`--screen` among
/// its heads) to `--file`, or to `NAME-YYYY-MM-DD-HH:MM:SS.EXT` here.
///
/// libvirt: `cmdScreenshot`, `virshGenFileName` (tools/virsh-domain.c).
enum ScreenshotCommand: VirshCommand {
    static let name = "screenshot"
    static let group = CommandGroup.domain
    static let help = "take a screenshot of a current domain console and store it into a file"
    static let description = "screenshot of a current domain console"
    static let options: [OptionDef] = [
        .domainFull,
        .string("file", "where to store the screenshot"),
        .int("screen", "ID of a screen to take screenshot of"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard case .success(let fileOption) = cmd.string("file", ctl),
              case .success(let screen) = cmd.unsigned("screen", max: UInt64(UInt32.max), ctl) else { return false }
        guard let (dom, name) = await cmd.domain(ctl) else { return false }
        let shot: (mime: String, data: [UInt8])
        do {
            shot = try await dom.screenshot(screen: UInt32(screen ?? 0))
        } catch {
            ctl.error("could not take a screenshot of \(name)")
            ctl.save(error)
            return false
        }
        let file = fileOption ?? generatedName(name, mime: shot.mime)
        var created = true
        var fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        if fd < 0 && errno == EEXIST {
            created = false
            fd = open(file, O_WRONLY | O_TRUNC | O_CLOEXEC, 0o666)
        }
        guard fd >= 0 else {
            ctl.error("cannot create file \(file)")
            return false
        }
        let written = shot.data.withUnsafeBytes { raw -> Bool in
            var at = 0
            while at < raw.count {
                let n = write(fd, raw.baseAddress?.advanced(by: at), raw.count - at)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                at += n
            }
            return true
        }
        guard close(fd) == 0, written else {
            ctl.error(written ? "cannot close file \(file)" : "could not receive data from domain '\(name)'")
            if created { unlink(file) }
            return false
        }
        ctl.printExtra("Screenshot saved to \(file), with type of \(shot.mime)")
        return true
    }

    /// `NAME-YYYY-MM-DD-HH:MM:SS` in local time, with the extension of the
    /// MIME type (libvirt: `virshGenFileName`).
    static func generatedName(_ name: String, mime: String) -> String {
        let ext = ["image/x-portable-pixmap": ".ppm", "image/png": ".png"][mime] ?? ""
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        var buf = [CChar](repeating: 0, count: 64)
        let n = strftime(&buf, buf.count, "%Y-%m-%d-%H:%M:%S", &parts)
        return "\(name)-\(String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))\(ext)"
    }
}
