import Foundation
import Glibc
import libvirt_abi
import virutil

/// The embedded driver's console: the guest's pty, opened by this
/// process, which is the driver.
final class PtyConsoleStream: VirshConsoleStream, @unchecked Sendable {
    private let fd: Int32

    /// Opens the pty as `VirFile.openPTY` does (libvirt: `virChrdevOpen`).
    init(path: String) throws(VirshError) {
        do throws(VirError) { fd = try VirFile.openPTY(path) } catch { throw VirshError(error) }
    }

    func receive() throws(VirshError) -> [UInt8]? {
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n > 0 { return Array(buf[0..<n]) }
        if n < 0 && (errno == EAGAIN || errno == EINTR) { return [] }
        // EIO: the QEMU side of the pty is gone.
        return nil
    }

    func send(_ bytes: [UInt8]) throws(VirshError) {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { usleep(1000); continue }
                let e = errno
                throw VirshError(code: .systemError, message: "cannot write to stream: \(String(cString: strerror(e)))")
            }
            off += n
        }
    }

    func finish() throws(VirshError) { close(fd) }
}
