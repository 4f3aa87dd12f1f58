import Glibc
import libvirt_abi
import virutil

/// Connecting to a QEMU monitor's UNIX socket while QEMU starts; the reads
/// and writes are `VirSocket`'s.
///
/// libvirt: `qemuMonitorOpenUnix`.
enum UnixSocket {
    /// What one connection attempt gave.
    enum Attempt {
        case connected(Int32)
        /// The socket does not exist yet or nobody accepts on it yet (`ENOENT`,
        /// `ECONNREFUSED`, `EAGAIN`): worth trying again while QEMU starts.
        case notYet(Int32)
        case failed(QemuMonitorError)
    }

    /// One attempt to connect to the UNIX socket at `path`.
    static func connect(path: String) -> Attempt {
        guard let addr = UnixSocketAddress(path: path) else {
            return .failed(QemuMonitorError(.internalError, "Monitor path \(path) too big for destination"))
        }
        switch VirSocket.connect(addr) {
        case .success(let fd):
            return .connected(fd)
        case .failure(let f) where f.step == .socket:
            return .failed(.system(f.errno, "failed to create socket"))
        case .failure(let f) where f.errno == ENOENT || f.errno == ECONNREFUSED || f.errno == EAGAIN:
            return .notYet(f.errno)
        case .failure(let f):
            return .failed(.system(f.errno, "failed to connect to monitor socket '\(path)'"))
        }
    }
}
