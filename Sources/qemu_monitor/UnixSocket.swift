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

    /// How a write went.
    enum SendResult: Equatable {
        case sent
        /// Nothing was written: the descriptor to pass was refused (`EBADF`,
        /// ...); the stream is as it was.
        case refused(Int32)
        /// The write failed part-way or the peer is gone (`errno`).
        case failed(Int32)
    }

    /// Writes all of `bytes`; with `passing`, that descriptor goes along
    /// with the first byte (`SCM_RIGHTS`), as QEMU expects a descriptor for
    /// `getfd` and `add-fd` with the command's text.
    ///
    /// libvirt: `qemuMonitorIOWriteWithFD`.
    static func sendAll(_ fd: Int32, _ bytes: [UInt8], passing: Int32? = nil) -> SendResult {
        var offset = 0
        if let passing, !bytes.isEmpty {
            while true {
                let n = sendWithDescriptor(fd, bytes, passing)
                if n >= 0 {
                    offset = n
                    break
                }
                let err = currentErrno
                if err == EINTR { continue }
                return err == EPIPE || err == ECONNRESET ? .failed(err) : .refused(err)
            }
        }
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
                return .failed(err)
            }
            if n == 0 { return .failed(EPIPE) }
            offset += n
        }
        return .sent
    }

    /// One `sendmsg` of `bytes` with `passing` in an `SCM_RIGHTS` control
    /// message; the count written, or -1 with `errno` set.
    private static func sendWithDescriptor(_ fd: Int32, _ bytes: [UInt8], _ passing: Int32) -> Int {
        // CMSG_SPACE(sizeof(int)) and CMSG_LEN(sizeof(int)), which Swift
        // cannot import as macros: the header, aligned, then the int.
        let align = MemoryLayout<Int>.size
        let header = (MemoryLayout<cmsghdr>.size + align - 1) / align * align
        let space = header + (MemoryLayout<Int32>.size + align - 1) / align * align
        var control = [UInt8](repeating: 0, count: space)
        var data = bytes
        return data.withUnsafeMutableBytes { dataRaw -> Int in
            control.withUnsafeMutableBytes { controlRaw -> Int in
                guard let controlBase = controlRaw.baseAddress, let dataBase = dataRaw.baseAddress else { return -1 }
                let cmsg = controlBase.bindMemory(to: cmsghdr.self, capacity: 1)
                cmsg.pointee.cmsg_len = header + MemoryLayout<Int32>.size
                cmsg.pointee.cmsg_level = SOL_SOCKET
                cmsg.pointee.cmsg_type = Int32(SCM_RIGHTS)
                controlBase.storeBytes(of: passing, toByteOffset: header, as: Int32.self)
                var iov = iovec(iov_base: dataBase, iov_len: dataRaw.count)
                return withUnsafeMutablePointer(to: &iov) { iovPointer -> Int in
                    var msg = msghdr()
                    msg.msg_iov = iovPointer
                    msg.msg_iovlen = 1
                    msg.msg_control = controlBase
                    msg.msg_controllen = space
                    return sendmsg(fd, &msg, Int32(MSG_NOSIGNAL))
                }
            }
        }
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
