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
    /// Spawns `argv[0]` with `argv`, in a session of its own, stdin from
    /// /dev/null, stdout and stderr to `outputFD`, and `passFDs` as its
    /// descriptors 3, 4, ..., as `identity` when given.
    ///
    /// - Returns: the child's pid.
    public static func spawn(_ argv: [String], environment: [String], outputFD: Int32, passFDs: [Int32] = [],
                             identity: ProcessIdentity? = nil) throws(VirError) -> pid_t {
        var command = VirCommand(argv, environment: environment)
        command.identity = identity
        command.passFDs = passFDs
        command.stdout = .descriptor(outputFD)
        command.stderr = .descriptor(outputFD)
        command.newSession = true
        return try command.spawn().pid
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
