#if canImport(Glibc)
import virutil
import libvirt_abi
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX calls the monitor needs on a UNIX stream socket.
///
/// libvirt: `qemuMonitorOpenUnix` and the read/write halves of `qemuMonitorIO`.
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
        #if canImport(Darwin)
        let fd = socket(AF_UNIX, SOCK_STREAM, 0)
        #else
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #endif
        if fd < 0 {
            return .failed(.system(currentErrno, "failed to create socket"))
        }
        let rc = addr.withSockaddr { systemConnect(fd, $0, $1) }
        if rc == 0 {
            return .connected(fd)
        }
        let err = currentErrno
        _ = systemClose(fd)
        if err == ENOENT || err == ECONNREFUSED || err == EAGAIN {
            return .notYet(err)
        }
        return .failed(.system(err, "failed to connect to monitor socket '\(path)'"))
    }

    /// Bounds how long a write may block when QEMU stops reading.
    static func setSendTimeout(_ fd: Int32, seconds: Int) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes all of `bytes`; returns `nil` or the `errno` of the failure.
    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                #if canImport(Darwin)
                return send(fd, base + offset, raw.count - offset, 0)
                #else
                return send(fd, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                #endif
            }
            if n < 0 {
                let err = currentErrno
                if err == EINTR { continue }
                return err
            }
            if n == 0 { return EPIPE }
            offset += n
        }
        return nil
    }

    /// One blocking read; the count, 0 at end of file, or `-errno`.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        while true {
            guard let base = buffer.baseAddress else { return 0 }
            let n = systemRead(fd, base, buffer.count)
            if n >= 0 { return n }
            let err = currentErrno
            if err == EINTR { continue }
            return -Int(err)
        }
    }

    /// Wakes every thread blocked on `fd` (reads return 0, writes fail).
    static func shutdownBoth(_ fd: Int32) {
        #if canImport(Darwin)
        _ = shutdown(fd, SHUT_RDWR)
        #else
        _ = shutdown(fd, Int32(SHUT_RDWR))
        #endif
    }

    static func close(_ fd: Int32) {
        _ = systemClose(fd)
    }

    static var currentErrno: Int32 {
        #if canImport(Glibc)
        return Glibc.errno
        #elseif canImport(Musl)
        return Musl.errno
        #else
        return Darwin.errno
        #endif
    }
}

// The POSIX functions, under names that do not clash with the methods above.
private func systemConnect(_ fd: Int32, _ addr: UnsafePointer<sockaddr>, _ len: socklen_t) -> Int32 {
    connect(fd, addr, len)
}

private func systemRead(_ fd: Int32, _ buf: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(fd, buf, count)
}

private func systemClose(_ fd: Int32) -> Int32 {
    close(fd)
}
