import Foundation
import Synchronization
import libvirt_abi
import virutil

/// Jobs that take a domain's state-change lock for one API call.
///
/// libvirt: `virDomainJob` (src/conf/virdomainjob.h).
public enum QemuJob: String, Sendable, CaseIterable {
    /// Reads that ask QEMU something.
    case query
    /// Stops the domain; allowed during an async job (it ends it).
    case destroy
    /// Pauses the guest.
    case suspend
    /// Anything else that changes the domain.
    case modify
    /// Aborts the async job.
    case abort
    /// One step of a migration, from the migration's own API calls.
    case migrationOp = "migration operation"
}

/// Jobs that span several API calls (a migration's phases).
///
/// libvirt: `virDomainAsyncJob`.
public enum QemuAsyncJob: String, Sendable {
    case migrationOut = "migration out"
    case migrationIn = "migration in"
    /// `save` and `managedsave`: QEMU's state written to a file.
    case save = "save"

    /// What `domjobinfo` calls it.
    public var operation: DomainJobOperation {
        switch self {
        case .migrationOut: return .migrationOut
        case .migrationIn: return .migrationIn
        case .save: return .save
        }
    }
}

/// The job state of one domain instance: at most one job, plus at most one
/// async job during which only the jobs in its mask may run.
///
/// libvirt: `virDomainJobObj` with `virDomainObjBeginJobInternal`
/// (src/conf/virdomainjob.c).
public final class QemuDomainJobs: Sendable {
    struct State {
        var job: QemuJob?
        var jobAPI: String?
        /// Milliseconds since the epoch when the job started.
        var jobStarted: UInt64 = 0
        var asyncJob: QemuAsyncJob?
        var asyncAPI: String?
        var asyncMask: Set<QemuJob> = []
        /// Milliseconds since the epoch when the async job started.
        var asyncStarted: UInt64 = 0
        var abortRequested = false
        /// The agent job: one guest-agent command at a time, beside any
        /// other job (libvirt: `agentActive`).
        var agentAPI: String?
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }
    let state = Mutex(State())

    /// What may run during a migration: reads, destroy, abort, and the
    /// migration's own steps (libvirt's `VIR_JOB_DEFAULT_MASK` plus
    /// migration operations).
    public static let migrationMask: Set<QemuJob> = [.query, .destroy, .abort, .migrationOp]
    /// What may run on a migration's source: also a suspend, which lets a
    /// migration that does not converge finish (`virsh migrate --timeout`).
    ///
    /// libvirt: the mask of `qemuMigrationJobStart` for `VIR_ASYNC_JOB_MIGRATION_OUT`.
    public static let migrationOutMask: Set<QemuJob> = migrationMask.union([.suspend])
    /// What may run during a save: reads, destroy, abort (libvirt's
    /// `VIR_JOB_DEFAULT_MASK`).
    public static let saveMask: Set<QemuJob> = [.query, .destroy, .abort]

    public init() {}

    /// The async job in progress, if any.
    public var asyncJob: QemuAsyncJob? { state.withLock { $0.asyncJob } }
    /// When the async job started (ms since the epoch).
    public var asyncStarted: UInt64 { state.withLock { $0.asyncStarted } }
    /// When the job in progress started (ms since the epoch); `nil`
    /// without one.
    public var jobStarted: UInt64? { state.withLock { $0.job == nil ? nil : $0.jobStarted } }
    /// Whether someone asked to abort the async job.
    public var abortRequested: Bool { state.withLock { $0.abortRequested } }

    /// Takes the domain's state-change lock for one call, waiting up to
    /// `timeout` for the current holder. During an async job, jobs outside
    /// its mask are refused at once: the domain is being migrated.
    ///
    /// - Parameter api: the driver function asking (`qemuDomainSuspend`, ...),
    ///   named as the holder in the timeout message of the next one (libvirt
    ///   names the RPC worker's function there; the driver knows no RPC).
    ///
    /// libvirt: `virDomainObjBeginJob`.
    public func begin(_ job: QemuJob, api: String, domainName: String,
                      timeout: Duration = .seconds(30)) async throws(VirError) {
        try await acquire(api: api, timeout: timeout, domainName: domainName) { s throws(VirError) -> Bool in
            if let asyncJob = s.asyncJob, !s.asyncMask.contains(job) {
                // A save is waited for, as libvirt waits for any async
                // job (then "cannot acquire state change lock").
                if asyncJob == .save { return false }
                throw VirError(.operationInvalid, "domain '\(domainName)' is being migrated (\(asyncJob.rawValue) job)")
            }
            guard s.job == nil else { return false }
            s.job = job
            s.jobAPI = api
            s.jobStarted = VirTime.millisNow()
            return true
        }
    }

    /// Releases the state-change lock. libvirt: `virDomainObjEndJob`.
    public func end() {
        wake { s in
            s.job = nil
            s.jobAPI = nil
        }
    }

    /// Takes the domain's agent lock for one guest-agent command, waiting up
    /// to `timeout` for the current one. It does not wait for the other
    /// jobs, nor they for it: the agent is not the monitor.
    ///
    /// libvirt: `virDomainObjBeginAgentJob`.
    public func beginAgent(api: String, domainName: String, timeout: Duration = .seconds(30)) async throws(VirError) {
        try await acquire(api: api, timeout: timeout, domainName: domainName, holder: { $0.agentAPI.map { "agent=\($0)" } }) { s in
            guard s.agentAPI == nil else { return false }
            s.agentAPI = api
            return true
        }
    }

    /// Releases the agent lock. libvirt: `virDomainObjEndAgentJob`.
    public func endAgent() {
        wake { $0.agentAPI = nil }
    }

    /// Starts an async job: waits for any job to end, refuses when another
    /// async job runs.
    ///
    /// libvirt: `virDomainObjBeginAsyncJob`.
    public func beginAsync(_ job: QemuAsyncJob, api: String, domainName: String,
                           mask: Set<QemuJob> = QemuDomainJobs.migrationMask,
                           timeout: Duration = .seconds(30)) async throws(VirError) {
        try await acquire(api: api, timeout: timeout, domainName: domainName) { s throws(VirError) -> Bool in
            if let other = s.asyncJob {
                throw VirError(.operationInvalid, "domain '\(domainName)' is being migrated (\(other.rawValue) job)")
            }
            guard s.job == nil else { return false }
            s.asyncJob = job
            s.asyncAPI = api
            s.asyncMask = mask
            s.asyncStarted = VirTime.millisNow()
            s.abortRequested = false
            return true
        }
    }

    /// Ends the async job. libvirt: `virDomainObjEndAsyncJob`.
    public func endAsync() {
        wake { s in
            s.asyncJob = nil
            s.asyncAPI = nil
            s.asyncMask = []
            s.abortRequested = false
        }
    }

    /// Asks the async job to stop at its next check. Returns whether there
    /// was one.
    public func requestAbort() -> Bool {
        state.withLock { s in
            guard s.asyncJob != nil else { return false }
            s.abortRequested = true
            return true
        }
    }

    private func wake(_ change: (inout State) -> Void) {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            change(&s)
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for w in waiters { w.resume() }
    }

    private func acquire(api: String, timeout: Duration, domainName: String,
                         holder: (State) -> String? = { s in (s.jobAPI ?? s.asyncAPI).map { "monitor=\($0)" } },
                         _ attempt: (inout State) throws(VirError) -> Bool) async throws(VirError) {
        let deadline = ContinuousClock.now + timeout
        while true {
            let result = try state.withLock { s throws(VirError) -> Bool in
                try attempt(&s)
            }
            if result { return }
            if ContinuousClock.now >= deadline {
                let held = state.withLock { holder($0) }
                throw VirError(.operationTimeout,
                               held.map { "cannot acquire state change lock (held by \($0))" } ?? "cannot acquire state change lock")
            }
            // Sleep until a job ends, or 50 ms at most (the deadline).
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let token = state.withLock { s -> Int in
                    s.nextWaiter += 1
                    s.waiters[s.nextWaiter] = c
                    return s.nextWaiter
                }
                Task {
                    await VirTime.pause(.milliseconds(50))
                    self.wake(token: token)
                }
            }
        }
    }

    private func wake(token: Int) {
        state.withLock { $0.waiters.removeValue(forKey: token) }?.resume()
    }
}
