import libvirt_abi
import Glibc
import Synchronization

/// Starts a program detached from the caller (its own session, signals at
/// their defaults and unblocked, stdin from /dev/null, stdout and stderr to
/// a given file) and reaps it when it exits.
///
/// Children must outlive the process that starts them: the embedded driver
/// lives inside each client command, and its VMs must not die with it.
///
/// libvirt: `virCommandRun` with `virCommandDaemonize`-like setup
/// (src/util/vircommand.c).
public enum ProcessSpawner {
    /// `POSIX_SPAWN_SETSID` from glibc's <spawn.h> (a GNU extension that
    /// Swift's Glibc module does not export).
    private static let spawnSetSID: Int32 = 0x80

    /// Spawns `argv[0]` with `argv`, writing its output to `outputFD`.
    ///
    /// - Returns: the child's pid.
    public static func spawn(_ argv: [String], environment: [String], outputFD: Int32) throws(VirError) -> pid_t {
        guard let program = argv.first else { throw VirError(.internalError, "empty command line") }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | spawnSetSID))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
        posix_spawn_file_actions_adddup2(&actions, outputFD, 2)

        markInheritedDescriptorsCloseOnExec(keeping: outputFD)

        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        var cEnv: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            for p in cArgs { free(p) }
            for p in cEnv { free(p) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, program, &actions, &attr, &cArgs, &cEnv)
        guard rc == 0 else {
            throw VirError.system(rc, "cannot execute binary \(program)")
        }
        return pid
    }

    /// Descriptors this process opened without `O_CLOEXEC` (its own, or a
    /// library's) must not leak into QEMU, which outlives us: mark them.
    /// (glibc's `posix_spawn_file_actions_addclosefrom_np` would do it in the
    /// child, but Swift's Glibc module does not export it.)
    private static func markInheritedDescriptorsCloseOnExec(keeping keep: Int32) {
        guard let dir = opendir("/proc/self/fd") else { return }
        defer { closedir(dir) }
        let own = dirfd(dir)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(name), fd > 2, fd != keep, fd != own else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// Waits for a child on its own thread and reports how it ended.
    public static func reap(_ pid: pid_t, onExit: @escaping @Sendable (Int32) -> Void) {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(ReapRequest(pid: pid, onExit: onExit))
        let rc = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let request = Unmanaged<ReapRequest>.fromOpaque(raw).takeRetainedValue()
            var status: Int32 = 0
            while waitpid(request.pid, &status, 0) < 0 && errno == EINTR {}
            request.onExit(status)
            return nil
        }, box.toOpaque())
        if rc == 0 {
            pthread_detach(thread)
        } else {
            box.release()
        }
    }
}

private final class ReapRequest: Sendable {
    let pid: pid_t
    let onExit: @Sendable (Int32) -> Void
    init(pid: pid_t, onExit: @escaping @Sendable (Int32) -> Void) {
        self.pid = pid
        self.onExit = onExit
    }
}
