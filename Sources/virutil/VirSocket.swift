import CGlibc
import Glibc

/// The system calls on UNIX stream sockets, in one place, for the QEMU
/// monitor, the RPC client and the daemon's listener: `EINTR` retried,
/// descriptors close-on-exec, `SIGPIPE` never raised, failures as the
/// `errno` they came with (each caller words its own message, as libvirt's
/// callers do).
///
/// libvirt: `virNetSocket` (src/rpc/virnetsocket.c) and `virsocket.c`.
public enum VirSocket {
    /// Which call failed, and with which `errno`.
    public struct Failure: Error, Equatable, Sendable {
        public enum Step: Sendable { case socket, connect, bind, listen }
        public let step: Step
        public let errno: Int32
    }

    private static func newStream() -> Result<Int32, Failure> {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        return fd >= 0 ? .success(fd) : .failure(Failure(step: .socket, errno: Glibc.errno))
    }

    /// A socket connected to `address`.
    ///
    /// libvirt: `virNetSocketNewConnectUNIX`.
    public static func connect(_ address: UnixSocketAddress) -> Result<Int32, Failure> {
        let fd: Int32
        switch newStream() {
        case .success(let s): fd = s
        case .failure(let f): return .failure(f)
        }
        while true {
            if address.withSockaddr({ Glibc.connect(fd, $0, $1) }) == 0 { return .success(fd) }
            let err = Glibc.errno
            if err == EINTR { continue }
            Glibc.close(fd)
            return .failure(Failure(step: .connect, errno: err))
        }
    }

    /// A socket listening on `address`, its file created with `mode`.
    ///
    /// libvirt: `virNetSocketNewListenUNIX`.
    public static func listen(_ address: UnixSocketAddress, path: String, mode: mode_t, backlog: Int32 = 128) -> Result<Int32, Failure> {
        let fd: Int32
        switch newStream() {
        case .success(let s): fd = s
        case .failure(let f): return .failure(f)
        }
        // The mode is set between bind and listen: nobody can connect
        // before listen, whatever the file's mode meanwhile. The umask is
        // not touched: it is the whole process's, and a file or a child
        // another thread creates meanwhile would get it (a daemon a test
        // started while a listener was bound got 0177).
        guard address.withSockaddr({ bind(fd, $0, $1) }) == 0 else {
            let err = Glibc.errno
            Glibc.close(fd)
            return .failure(Failure(step: .bind, errno: err))
        }
        guard chmod(path, mode) == 0 else {
            let err = Glibc.errno
            Glibc.close(fd)
            unlink(path)
            return .failure(Failure(step: .bind, errno: err))
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let err = Glibc.errno
            Glibc.close(fd)
            unlink(path)
            return .failure(Failure(step: .listen, errno: err))
        }
        return .success(fd)
    }

    /// The next connection on a listening socket (close-on-exec), or the
    /// `errno` that is not worth retrying at once (`EMFILE`, `EBADF` after a
    /// close...).
    public static func accept(_ fd: Int32) -> Result<Int32, Failure> {
        while true {
            let c = accept4(fd, nil, nil, Int32(SOCK_CLOEXEC.rawValue))
            if c >= 0 { return .success(c) }
            let err = Glibc.errno
            if err == EINTR || err == ECONNABORTED { continue }
            return .failure(Failure(step: .connect, errno: err))
        }
    }

    /// How a write went.
    public enum SendResult: Equatable, Sendable {
        case sent
        /// Nothing was written: the descriptor to pass was refused (`EBADF`,
        /// ...); the stream is as it was.
        case refused(Int32)
        /// The write failed part-way or the peer is gone (`errno`).
        case failed(Int32)
    }

    /// Writes all of `bytes`; with `passing`, that descriptor goes along
    /// with the first byte (`SCM_RIGHTS`).
    ///
    /// libvirt: `virNetSocketWriteWire`, `qemuMonitorIOWriteWithFD`.
    public static func sendAll(_ fd: Int32, _ bytes: [UInt8], passing: Int32? = nil) -> SendResult {
        var offset = 0
        if let passing, !bytes.isEmpty {
            while true {
                let n = sendWithDescriptor(fd, bytes, passing)
                if n >= 0 {
                    offset = n
                    break
                }
                let err = Glibc.errno
                if err == EINTR { continue }
                return err == EPIPE || err == ECONNRESET ? .failed(err) : .refused(err)
            }
        }
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return send(fd, base + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                let err = Glibc.errno
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

    /// One blocking read: the count, 0 at end of file, or `-errno`.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        while true {
            let n = Glibc.read(fd, base, buffer.count)
            if n >= 0 { return n }
            let err = Glibc.errno
            if err == EINTR { continue }
            return -Int(err)
        }
    }

    /// Who is at the other end of a UNIX socket, as the kernel recorded it
    /// when the peer connected.
    public struct PeerCredentials: Equatable, Sendable {
        public let pid: pid_t
        public let uid: uid_t
        public let gid: gid_t
    }

    /// The peer's credentials (`SO_PEERCRED`), or the `errno`.
    ///
    /// libvirt: `virNetSocketGetUNIXIdentity`.
    public static func peerCredentials(_ fd: Int32) -> Result<PeerCredentials, Failure> {
        var pid: pid_t = 0, uid: uid_t = 0, gid: gid_t = 0
        guard cglibc_peer_credentials(fd, &pid, &uid, &gid) == 0 else {
            return .failure(Failure(step: .socket, errno: Glibc.errno))
        }
        return .success(PeerCredentials(pid: pid, uid: uid, gid: gid))
    }

    /// Waits until `fd` can be read (or is closed or in error) for at most
    /// `milliseconds` (-1: no bound); `false` when the time ran out.
    public static func waitReadable(_ fd: Int32, milliseconds: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let rc = Glibc.poll(&p, 1, milliseconds)
            if rc > 0 { return true }
            if rc == 0 { return false }
            if Glibc.errno != EINTR { return true }  // the read that follows reports it
        }
    }

    /// Bounds how long a write may block when the peer stops reading.
    public static func setSendTimeout(_ fd: Int32, seconds: Int) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Bounds how long a read may block (it then fails with `EAGAIN`).
    public static func setReceiveTimeout(_ fd: Int32, milliseconds: Int) {
        var tv = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Wakes every thread blocked on `fd` (reads return 0, writes fail).
    public static func shutdown(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }

    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}
