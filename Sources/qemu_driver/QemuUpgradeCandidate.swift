import libvirt_abi
import qemu_capabilities
import qemu_monitor

/// What a QEMU upgrade would change for one running domain: the QEMU its
/// instance runs and the one now on disk at its emulator path.
///
/// libvirt has no counterpart (no libvirt tool upgrades a host's guests);
/// the pieces are libvirt's: the running QEMU's `query-version` and the
/// capabilities of the binary on disk (`virQEMUCapsCacheLookup`).
public struct QemuUpgradeCandidate: Sendable, Equatable {
    public let emulator: String
    /// What the instance runs (its monitor's greeting).
    public let running: QemuVersion
    /// What a new instance would run.
    public let onDisk: QemuVersion
    /// The file at `emulator` is no longer the one the instance was started
    /// from (`nil`: not known, the instance's status file predates it).
    public let binaryReplaced: Bool?

    public init(emulator: String, running: QemuVersion, onDisk: QemuVersion, binaryReplaced: Bool?) {
        self.emulator = emulator
        self.running = running
        self.onDisk = onDisk
        self.binaryReplaced = binaryReplaced
    }

    /// Another version or another build (Debian's security updates change
    /// the package string only), or another file.
    public var needsUpgrade: Bool {
        running != onDisk || running.package != onDisk.package || binaryReplaced == true
    }
}

extension QemuConnection {
    /// The upgrade a running domain would get from a local migration now.
    /// What the instance runs is what its monitor announced, as its status
    /// file recorded it; a status file of an older driver did not, and then
    /// the monitor is asked.
    public func upgradeCandidate(_ dom: DomainRef) async throws(VirError) -> QemuUpgradeCandidate {
        let obj = try obj(dom)
        guard let instance = obj.qemu.instance else { throw VirError.notRunning }
        let caps = try state.caps.lookup(instance.emulator)
        let running: QemuVersion
        if let v = instance.version {
            running = v
        } else {
            do { running = try await instance.monitor().version } catch { throw VirError(error) }
        }
        return QemuUpgradeCandidate(emulator: instance.emulator, running: running, onDisk: caps.version,
                                    binaryReplaced: instance.binary.map { $0 != caps.identity })
    }
}
