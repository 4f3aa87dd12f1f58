import Foundation
import Glibc

/// The embedded driver's console: the guest's pty, opened by this
/// process, which is the driver.
final class PtyConsoleStream: VirshConsoleStream, @unchecked Sendable {
    private let fd: Int32

    /// Opens the pty for reading and writing, without making it the
    /// controlling terminal, in raw mode (libvirt: `virChrdevOpen` →
    /// `virFDStreamOpenPTY`, which does the same).
    init(path: String) throws(VirshError) {
        let fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw VirshError(code: .systemError, message: "Unable to open '\(path)': \(String(cString: strerror(e)))")
        }
        var t = termios()
        if tcgetattr(fd, &t) == 0 {
            cfmakeraw(&t)
            _ = tcsetattr(fd, TCSADRAIN, &t)
        }
        self.fd = fd
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
