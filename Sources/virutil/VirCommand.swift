import CGlibc
import Foundation
import Glibc
import libvirt_abi

/// One way to start a program, for the driver (QEMU, the emulator probe),
/// the tests and the benchmarks: `posix_spawn` with signals unblocked and
/// at their defaults, the three standard streams as asked, no other
/// descriptor of ours inherited, optionally in a session of its own.
///
/// Foundation's `Process` is not used: its children inherit the caller's
/// blocked signals (an incoming QEMU then never answers `cont`), it polls
/// for the exit, and under load its exit monitoring can miss a child.
///
/// libvirt: `virCommand` (src/util/vircommand.c): `virCommandNewArgs`,
/// `virCommandSetInputFD`/`SetOutputFD`, `virCommandRunAsync`.
public struct VirCommand: Sendable {
    /// Where a standard stream of the child goes.
    public enum Stream: Sendable {
        /// /dev/null.
        case null
        /// The caller's own stream.
        case inherit
        /// A descriptor of the caller (duplicated; the caller keeps its own).
        case descriptor(Int32)
        /// A file, created if missing, appended to.
        case appendFile(String)
        /// A pipe whose other end the caller gets.
        case pipe
        /// Wherever the child's stdout goes (for stderr: `2>&1`).
        case stdout
    }

    /// A started child: its pid and the caller's ends of the pipes asked for.
    public struct Child: Sendable {
        public let pid: pid_t
        /// Write end of a `.pipe` stdin.
        public let stdin: Int32?
        /// Read ends of `.pipe` stdout and stderr.
        public let stdout: Int32?
        public let stderr: Int32?
    }

    public var argv: [String]
    /// The whole environment, `NAME=value` (`nil`: the caller's).
    public var environment: [String]?
    public var stdin: Stream = .null
    public var stdout: Stream = .null
    public var stderr: Stream = .null
    /// A session of its own (`setsid`): the child outlives the caller's
    /// terminal and process group, as a VM must outlive a virsh command.
    public var newSession = false
    /// Descriptors of the caller the child gets as 3, 4, ... in this order
    /// (the caller keeps its own).
    ///
    /// libvirt: `virCommandPassFD`.
    public var passFDs: [Int32] = []

    /// Who the child runs as; `nil`: the caller's user, groups and
    /// capabilities.
    ///
    /// libvirt: `virCommandSetUID`, `virCommandSetGID`,
    /// `virCommandClearCaps`.
    public var identity: ProcessIdentity?

    public init(_ argv: [String], environment: [String]? = nil) {
        self.argv = argv
        self.environment = environment
    }

    /// Starts the program. The caller reaps it (`ProcessSpawner.reap`,
    /// `wait`).
    ///
    /// Without an identity, `posix_spawn`; with one, the shim's fork and
    /// exec (`cglibc_spawn_as`), which can change users. Either way the
    /// child gets the same descriptors: the caller opens or creates each
    /// stream, copies it above every target number, and the child gets it
    /// by `dup2`; nothing else of the caller's is inherited.
    public func spawn() throws(VirError) -> Child {
        guard let program = argv.first else { throw VirError(.internalError, "empty command line") }
        // Every descriptor to dup2 in the child, in order: (source, target).
        var dups: [(Int32, Int32)] = []
        // Ours, closed once the child has its copies.
        var temporaries: [Int32] = []
        defer { for fd in temporaries { close(fd) } }
        var parentEnds: [Int32: Int32] = [:]
        func fail(_ err: Int32, _ message: String) -> VirError {
            for fd in parentEnds.values { close(fd) }
            return VirError.system(err, message)
        }
        let floor = Int32(3 + passFDs.count)
        // A close-on-exec copy of `fd` above every target, so that no dup2
        // overwrites a source another one still needs.
        func copyAbove(_ fd: Int32) throws(VirError) -> Int32 {
            let copy = fcntl(fd, F_DUPFD_CLOEXEC, floor)
            guard copy >= 0 else { throw fail(errno, "cannot pass descriptor \(fd)") }
            temporaries.append(copy)
            return copy
        }
        func open(_ path: String, _ flags: Int32) throws(VirError) -> Int32 {
            let fd = Glibc.open(path, flags | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw fail(errno, "cannot open '\(path)'") }
            temporaries.append(fd)
            return try copyAbove(fd)
        }
        for (stream, fd) in [(stdin, Int32(0)), (stdout, 1), (stderr, 2)] {
            let writes = fd != 0
            switch stream {
            case .inherit:
                break
            case .null:
                dups.append((try open("/dev/null", writes ? O_WRONLY : O_RDONLY), fd))
            case .descriptor(let source):
                dups.append((try copyAbove(source), fd))
            case .stdout:
                dups.append((1, fd))
            case .appendFile(let path):
                dups.append((try open(path, O_WRONLY | O_CREAT | O_APPEND), fd))
            case .pipe:
                var ends: [Int32] = [0, 0]
                guard pipe2(&ends, O_CLOEXEC) == 0 else { throw fail(errno, "cannot create pipe") }
                let (child, parent) = writes ? (ends[1], ends[0]) : (ends[0], ends[1])
                temporaries.append(child)
                parentEnds[fd] = parent
                dups.append((try copyAbove(child), fd))
            }
        }
        for (i, fd) in passFDs.enumerated() { dups.append((try copyAbove(fd), Int32(3 + i))) }

        let env = environment ?? ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        let pid: pid_t
        if let identity {
            let sources = dups.map(\.0), targets = dups.map(\.1), groups = identity.groups
            pid = cglibc_spawn_as(program, &cArgs, &cEnv, sources, targets, Int32(dups.count), floor, newSession ? 1 : 0,
                                  identity.uid, identity.gid, groups, Int32(groups.count))
            guard pid > 0 else { throw fail(errno, "cannot execute binary \(program) as uid \(identity.uid)") }
        } else {
            var attr = posix_spawnattr_t()
            posix_spawnattr_init(&attr)
            defer { posix_spawnattr_destroy(&attr) }
            var none = sigset_t()
            sigemptyset(&none)
            var all = sigset_t()
            sigfillset(&all)
            posix_spawnattr_setsigmask(&attr, &none)
            posix_spawnattr_setsigdefault(&attr, &all)
            posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (newSession ? CGLIBC_POSIX_SPAWN_SETSID : 0)))
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            for (source, target) in dups { posix_spawn_file_actions_adddup2(&actions, source, target) }
            // No descriptor of ours but the three streams (and those passed)
            // reaches the child, whether or not whoever opened it asked for
            // O_CLOEXEC.
            posix_spawn_file_actions_addclosefrom_np(&actions, floor)
            var child: pid_t = 0
            let rc = posix_spawn(&child, program, &actions, &attr, &cArgs, &cEnv)
            guard rc == 0 else { throw fail(rc, "cannot execute binary \(program)") }
            pid = child
        }
        return Child(pid: pid, stdin: parentEnds[0], stdout: parentEnds[1], stderr: parentEnds[2])
    }

    /// Runs the program to its end with its stdout captured (stderr as
    /// set), as `virCommandRun` with `virCommandSetOutputBuffer`.
    ///
    /// - Parameters:
    ///   - input: written to its stdin, which is then closed
    ///     (`virCommandSetInputBuffer`); keep it under a pipe's capacity.
    ///   - timeout: a program still running after this is killed and the
    ///     call fails.
    /// - Returns: the `waitpid` status and what it wrote.
    public func output(input: String? = nil, timeout: Duration? = nil) throws(VirError) -> (status: Int32, stdout: String) {
        var command = self
        command.stdout = .pipe
        if input != nil { command.stdin = .pipe }
        let child = try command.spawn()
        if let fd = child.stdin {
            if let input { Self.writeToChild(fd, Array(input.utf8)) }
            close(fd)
        }
        let deadline = timeout.map { ContinuousClock.now.advanced(by: $0) }
        var data = [UInt8]()
        var timedOut = false
        if let fd = child.stdout {
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                if let deadline {
                    let left = ContinuousClock.now.duration(to: deadline)
                    let ms = Int32(clamping: max(0, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
                    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                    let r = poll(&p, 1, ms)
                    if r < 0 && errno == EINTR { continue }
                    if r == 0 { timedOut = true; break }
                }
                let n = read(fd, &buf, buf.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                data += buf[0..<n]
            }
            close(fd)
        }
        if timedOut { kill(child.pid, SIGKILL) }
        let status = Self.wait(child.pid)
        if timedOut, let timeout {
            throw VirError(.operationTimeout, "\(argv[0]) did not finish within \(timeout)")
        }
        return (status, String(decoding: data, as: UTF8.self))
    }

    /// Writes what a child is to read, as far as it reads: a child that
    /// exits first (a program that is not what we expected, or one that
    /// failed) ends the write with `EPIPE`, never with a `SIGPIPE` that
    /// would kill the caller. The signal is blocked on this thread for the
    /// write and a `SIGPIPE` the write raised is taken off before the mask
    /// is restored (the caller's handling of `SIGPIPE` stays as it was).
    private static func writeToChild(_ fd: Int32, _ bytes: [UInt8]) {
        var pipeOnly = sigset_t()
        sigemptyset(&pipeOnly)
        sigaddset(&pipeOnly, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &pipeOnly, &previous)
        var broken = false
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EPIPE { broken = true }
            if n <= 0 { break }
            off += n
        }
        if broken && sigismember(&previous, SIGPIPE) == 0 {
            var none = timespec()
            while sigtimedwait(&pipeOnly, nil, &none) < 0 && errno == EINTR {}
        }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
    }

    /// Waits for a child and returns its `waitpid` status.
    public static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    /// The exit code of a `waitpid` status, or 128 plus the signal that
    /// ended it, as a shell reports it.
    public static func exitCode(_ status: Int32) -> Int32 {
        status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}
