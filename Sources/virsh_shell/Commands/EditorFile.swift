import Foundation
import Glibc
import libvirt_abi
import virutil

/// A temporary file the user edits in `$VISUAL` (or `$EDITOR`, or `vi`),
/// for `desc --edit` and `edit`.
///
/// libvirt: `vshEditWriteToTempFile`, `vshEditFile`, `vshEditReadBackFile`
/// (tools/vsh.c).
final class EditorFile {
    let path: String

    /// Writes `text` to a new `virshXXXXXX.xml` under `$TMPDIR` (or /tmp).
    @MainActor init?(_ text: String, _ ctl: Control) {
        let dir = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array((dir + "/virshXXXXXX.xml").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { b in b.baseAddress.map { mkstemps($0, 4) } ?? -1 }
        guard fd >= 0 else {
            ctl.error("failed to create temporary file: \(String(cString: strerror(errno)))")
            return nil
        }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else {
            ctl.error("\(path): failed to write to temporary file")
            unlink(path)
            return nil
        }
    }

    deinit { unlink(path) }

    /// Runs the editor on the file, its terminal being virsh's; whether it
    /// succeeded (a failure is saved as virCommandRun words it).
    @MainActor func runEditor(_ ctl: Control) -> Bool {
        let env = ProcessInfo.processInfo.environment
        let editor = env["VISUAL"] ?? env["EDITOR"] ?? "vi"
        var command = VirCommand(["/bin/sh", "-c", "\(editor) \(path)"])
        command.stdin = .inherit
        command.stdout = .inherit
        command.stderr = .inherit
        let status: Int32
        do { status = VirCommand.wait(try command.spawn().pid) } catch {
            ctl.save(VirshError(error))
            return false
        }
        guard status == 0 else {
            ctl.save(VirshError(code: .internalError, message: ErrorNumber.internalError.format(
                "Child process (\(editor) \(path)) unexpected exit status \(VirCommand.exitCode(status))")))
            return false
        }
        return true
    }

    /// The file's text now.
    @MainActor func readBack(_ ctl: Control) -> String? {
        XMLFile.read(path, ctl)
    }

    /// Writes `text`, lets the user edit it, and reads it back.
    @MainActor static func edit(_ text: String, _ ctl: Control) -> String? {
        guard let file = EditorFile(text, ctl), file.runEditor(ctl) else { return nil }
        return file.readBack(ctl)
    }
}
