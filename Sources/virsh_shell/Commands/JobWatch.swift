import Foundation
import Synchronization
import libvirt_abi
import virutil

/// Follows a job while its call runs: every 500 ms the job's progress
/// (printed with `--verbose`), the `--timeout` action (suspend the domain,
/// virsh's default), and Ctrl-C, which aborts the job.
///
/// libvirt: `virshWatchJob`, `virshWatchProgress`, `virshWatchTimeout`,
/// `virshPrintJobProgress` (tools/virsh-domain.c).
enum JobWatch {
    static func watch(_ dom: any VirshDomain, verbose: Bool, timeoutSeconds: UInt64, label: String,
                      done: OnceFlag) async {
        let start = ContinuousClock.now
        let deadline = timeoutSeconds > 0 ? start + .seconds(Int64(clamping: timeoutSeconds)) : nil
        var nextPoll = start + .milliseconds(500)
        var polling = true
        var jobStarted = false
        var timedOut = false
        await Signals.whileWatching(onInterrupt: {
            Task.detached { try? await dom.abortJob() }
        }) {
            while !done.isSet {
                await VirTime.pause(.milliseconds(20))
                let now = ContinuousClock.now
                if let deadline, !timedOut, now >= deadline {
                    // The migration is taking too long: suspend the guest so
                    // that it converges (virshMigrateTimeout).
                    timedOut = true
                    try? await dom.suspend()
                }
                guard polling, now >= nextPoll, !done.isSet else { continue }
                nextPoll = now + .milliseconds(500)
                guard let p = try? await dom.jobProgress() else { continue }
                if verbose && p.dataTotal > 0 && !done.isSet {
                    printProgress(label, remaining: p.dataRemaining, total: p.dataTotal)
                }
                if !jobStarted && (p.type == .bounded || p.type == .unbounded) {
                    jobStarted = true
                    if !verbose { polling = false }
                }
            }
        }
    }

    /// `\rMigration: [ 42 %]` on stderr; 100 only once the job is done.
    static func printProgress(_ label: String, remaining: UInt64, total: UInt64) {
        var progress: Int
        if remaining == 0 {
            progress = 100
        } else {
            progress = Int(100.0 - Double(remaining) * 100.0 / Double(total))
            if progress >= 100 { progress = 99 }
        }
        let pct = String(progress)
        Console.err("\r\(label): [\(String(repeating: " ", count: max(0, 3 - pct.count)))\(pct) %]")
    }
}
