import Foundation
import Glibc
import Logging
import Synchronization
import libvirt_abi
import virutil

/// What the driver knows about each emulator, keyed by the binary's
/// identity: a binary replaced on disk (an `apt-get upgrade` under running
/// guests) is probed again, one that did not change is not probed at all.
/// Kept in memory and in `DIR/capabilities/HASH.xml`, so a short-lived
/// virsh on an embedded root reads the file instead of starting QEMU.
///
/// libvirt: `virQEMUCapsCache` (a `virFileCache` in
/// `/var/cache/libvirt/qemu/capabilities`), `virQEMUCapsCacheLookup`.
public final class QemuCapsCache: Sendable {
    /// Where the cache files live; `nil` keeps the cache in memory only.
    public let directory: String?
    private let entries = Mutex<[String: QemuCaps]>([:])
    private let log: Logger
    /// Who the probe runs as: QEMU's user (qemu.conf's `user`/`group`),
    /// as libvirt probes; `nil`, the caller.
    public let probeIdentity: ProcessIdentity?

    public init(directory: String?, probeIdentity: ProcessIdentity? = nil, log: Logger = DriverLog.logger("qemu_capabilities")) {
        self.directory = directory.map { $0 + "/capabilities" }
        self.probeIdentity = probeIdentity
        self.log = log
    }

    /// The capabilities of the binary now at `emulator`.
    ///
    /// Errors: libvirt's "Cannot check QEMU binary PATH" and "QEMU binary
    /// PATH is not executable" (system errors), or a failed probe.
    ///
    /// libvirt: `virQEMUCapsCacheLookup`.
    public func lookup(_ emulator: String) throws(VirError) -> QemuCaps {
        try Self.checkEmulator(emulator)
        var identity = try QemuBinaryIdentity.of(emulator)
        if let caps = entries.withLock({ $0[emulator] }), caps.identity == identity { return caps }
        if let caps = load(emulator), caps.identity == identity {
            entries.withLock { $0[emulator] = caps }
            return caps
        }
        var caps = try QemuCapsProbe.run(identity, as: probeIdentity)
        // Replaced while it was being probed: what answered may be either file.
        let after = try QemuBinaryIdentity.of(emulator)
        if after != identity {
            identity = after
            caps = try QemuCapsProbe.run(identity, as: probeIdentity)
        }
        log.debug("probed \(emulator): QEMU \(caps.version), \(caps.machines.count) machine types")
        store(caps)
        return caps
    }

    /// Keeps `caps` in memory and in its file.
    func store(_ caps: QemuCaps) {
        entries.withLock { $0[caps.emulator] = caps }
        save(caps)
    }

    /// Fails as libvirt does when the emulator binary is missing or not
    /// executable.
    ///
    /// libvirt: `virQEMUCapsCacheLookup` → `virFileIsExecutable` checks.
    public static func checkEmulator(_ path: String) throws(VirError) {
        if access(path, F_OK) != 0 {
            throw VirError.system(errno, "Cannot check QEMU binary \(path)")
        }
        if access(path, X_OK) != 0 {
            throw VirError.system(errno, "QEMU binary \(path) is not executable")
        }
    }

    /// The cache file of an emulator path.
    public func file(for emulator: String) -> String? {
        directory.map { "\($0)/\(Self.hash(emulator)).xml" }
    }

    private func load(_ emulator: String) -> QemuCaps? {
        guard let path = file(for: emulator),
              let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        guard let caps = QemuCaps.parseCache(text, url: path), caps.emulator == emulator else {
            log.info("ignoring unreadable capabilities cache \(path)")
            return nil
        }
        return caps
    }

    private func save(_ caps: QemuCaps) {
        guard let directory, let path = file(for: caps.emulator) else { return }
        log.bestEffort("write the capabilities cache \(path)", domain: caps.emulator) {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try AtomicFile.write(caps.formatCache(), to: path, mode: 0o644, durable: false)
        }
    }

    /// 64-bit FNV-1a of the path, in hex: a file name per emulator path
    /// (the file repeats the path, and a mismatch is a cache miss).
    static func hash(_ path: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in path.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension QemuCapsCache {
    /// What `emulator` offers under KVM, probed once per binary identity
    /// and kept with its other capabilities.
    ///
    /// libvirt: `virQEMUCapsGetAccel(qemuCaps, VIR_DOMAIN_VIRT_KVM)`.
    public func kvmCaps(_ emulator: String) throws(VirError) -> QemuKVMCaps {
        var caps = try lookup(emulator)
        if let kvm = caps.kvm { return kvm }
        let kvm = try QemuCapsProbe.kvm(emulator, as: probeIdentity)
        caps.kvm = kvm
        store(caps)
        return kvm
    }
}
