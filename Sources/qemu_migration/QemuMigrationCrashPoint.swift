import Foundation
import Glibc

/// The moments of a local migration where the driver's process dying
/// leaves a different state behind: after each status write and around
/// each QMP command that changes which QEMU runs the guest. With
/// `LM_CRASH_POINT=NAME` in its environment the process ends there at once
/// (`_exit(70)`: no clean-up, no close callbacks, as a SIGKILL would), so
/// that tests can check that the next driver recovers from each one
/// (`allCases`: a test that walks every point covers a new one too).
/// Without the variable a point costs one comparison.
///
/// libvirt has no counterpart (its tests inject faults in its mocks).
public enum QemuMigrationCrashPoint: String, CaseIterable, Sendable {
    /// Begin saved the outgoing migration on the source.
    case beginSaved = "begin.saved"
    /// Prepare started the incoming QEMU; its first status file is
    /// written, its listening address not yet saved.
    case prepareSpawned = "prepare.spawned"
    /// Prepare started the incoming QEMU and saved its status.
    case prepareStarted = "prepare.started"
    /// Prepare told the incoming QEMU where to listen.
    case prepareListening = "prepare.listening"
    /// A `cpr-transfer` Perform sent `migrate` on the source (its
    /// descriptors go); the destination's monitor not yet connected.
    case performDescriptorsSent = "perform.descriptors-sent"
    /// Perform sent `migrate` (and, for a `cpr-transfer`, let the
    /// destination listen).
    case performMigrating = "perform.migrating"
    /// QEMU reported the migration completed; not yet saved.
    case performCompleted = "perform.completed"
    /// Perform saved its end on the source.
    case performSaved = "perform.saved"
    /// Finish saved that the destination is about to run; `cont` not sent.
    case finishResuming = "finish.resuming"
    /// Finish sent `cont`: the guest runs on the destination; not yet saved.
    case finishResumed = "finish.resumed"
    /// Finish saved the destination as finished.
    case finishSaved = "finish.saved"
    /// Confirm saved on the source that the destination runs the guest.
    case confirmDecided = "confirm.decided"
    /// Confirm promoted the destination and saved it; the source QEMU runs on.
    case confirmPromoted = "confirm.promoted"
    /// Confirm stopped the source QEMU.
    case confirmSourceStopped = "confirm.source-stopped"

    /// Reached only by a `cpr-transfer` migration.
    public var isCPRTransferOnly: Bool { self == .performDescriptorsSent }

    /// The environment variable that arms a point.
    public static let environmentVariable = "LM_CRASH_POINT"

    private static let armed: QemuMigrationCrashPoint? =
        ProcessInfo.processInfo.environment[environmentVariable].flatMap(QemuMigrationCrashPoint.init(rawValue:))

    /// The exit status of a process that ended at a crash point.
    public static let exitStatus: Int32 = 70

    /// Ends the process here if this point is armed.
    func hit() {
        if Self.armed == self { _exit(Self.exitStatus) }
    }
}
