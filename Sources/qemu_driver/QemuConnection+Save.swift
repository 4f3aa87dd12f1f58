import Foundation
import Glibc
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_monitor
import qemu_process
import virdomainobjlist
import virutil

/// libvirt's `virDomainSaveRestoreFlags`.
public struct DomainSaveFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// `VIR_DOMAIN_SAVE_BYPASS_CACHE`.
    public static let bypassCache = DomainSaveFlags(rawValue: 1)
    /// `VIR_DOMAIN_SAVE_RUNNING`: run after restore, whatever it was.
    public static let running = DomainSaveFlags(rawValue: 2)
    /// `VIR_DOMAIN_SAVE_PAUSED`: paused after restore.
    public static let paused = DomainSaveFlags(rawValue: 4)
    /// `VIR_DOMAIN_SAVE_RESET_NVRAM` (restore only).
    public static let resetNVRAM = DomainSaveFlags(rawValue: 8)
    static let all: DomainSaveFlags = [.bypassCache, .running, .paused]
}

/// Save and restore: the guest's state written to a file and its QEMU
/// stopped, then a new QEMU started from the file — the way a libvirt user
/// restarts QEMU today, kept beside the local migration to compare them.
extension QemuConnection {
    /// libvirt: `qemuDomainSaveFlags` → `qemuDomainSaveInternal`.
    public func save(_ dom: DomainRef, to path: String, xml: String? = nil, flags: DomainSaveFlags = []) async throws(VirError) {
        try checkSaveFlags(flags, "qemuDomainSaveFlags")
        let obj = try obj(dom)
        try await withSaveJob(obj, api: "qemuDomainSaveFlags") { () throws(VirError) in
            try await saveInternal(obj, to: path, xml: xml, flags: flags)
        }
    }

    /// Runs a save as libvirt does, under an async job (`VIR_ASYNC_JOB_SAVE`):
    /// `domjobinfo` and `domjobabort` reach it, `destroy` may end it, other
    /// changes wait for it.
    ///
    /// libvirt: `qemuDomainObjBeginAsyncJob` for `VIR_ASYNC_JOB_SAVE`.
    func withSaveJob(_ obj: DomainObj, api: String, _ body: () async throws(VirError) -> Void) async throws(VirError) {
        try await obj.qemu.jobs.beginAsync(.save, api: api, domainName: obj.name, mask: QemuDomainJobs.saveMask)
        defer { obj.qemu.jobs.endAsync() }
        try await body()
    }

    /// libvirt: `qemuDomainManagedSave`.
    public func managedSave(_ dom: DomainRef, flags: DomainSaveFlags = []) async throws(VirError) {
        try checkSaveFlags(flags, "qemuDomainManagedSave")
        let obj = try obj(dom)
        guard obj.persistent else {
            throw VirError(.operationInvalid, "cannot do managed save for transient domain")
        }
        try await withSaveJob(obj, api: "qemuDomainManagedSave") { () throws(VirError) in
            do {
                try FileManager.default.createDirectory(atPath: driver.config.saveDir, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw VirError(.operationFailed, "cannot create directory '\(driver.config.saveDir)': \(error.localizedDescription)")
            }
            try await saveInternal(obj, to: driver.config.managedSaveFile(name: obj.name), xml: nil, flags: flags)
        }
    }

    /// libvirt: `qemuDomainHasManagedSaveImage`.
    public func hasManagedSaveImage(_ dom: DomainRef) throws(VirError) -> Bool {
        let obj = try obj(dom)
        return obj.persistent && FileManager.default.fileExists(atPath: driver.config.managedSaveFile(name: obj.name))
    }

    /// libvirt: `qemuDomainManagedSaveRemove`.
    public func managedSaveRemove(_ dom: DomainRef) throws(VirError) {
        let obj = try obj(dom)
        let path = driver.config.managedSaveFile(name: obj.name)
        if unlink(path) != 0 && errno != ENOENT {
            throw VirError.system(errno, "Failed to remove managed save file '\(path)'")
        }
    }

    func checkSaveFlags(_ flags: DomainSaveFlags, _ api: String) throws(VirError) {
        try Self.checkFlags(flags.rawValue, allowed: DomainSaveFlags.all.rawValue, api)
        // QEMU writes the stream itself, through a descriptor that O_DIRECT
        // would make fail; libvirt puts an I/O helper between them.
        if flags.contains(.bypassCache) {
            throw VirError(.argumentUnsupported, "bypassing the file system cache (VIR_DOMAIN_SAVE_BYPASS_CACHE) is not supported by this driver")
        }
        if flags.contains(.running) && flags.contains(.paused) {
            throw VirError.exclusiveFlags("VIR_DOMAIN_SAVE_RUNNING", "VIR_DOMAIN_SAVE_PAUSED")
        }
    }

    /// Pauses the guest, writes the image (header, XML, QEMU's stream over
    /// `fd:`), and stops the QEMU; on failure the image goes and the guest
    /// runs on as it did.
    func saveInternal(_ obj: DomainObj, to path: String, xml: String?, flags: DomainSaveFlags) async throws(VirError) {
        guard obj.isActive, let instance = obj.qemu.instance else { throw VirError.notRunning }
        let wasRunning = obj.state.state == .running
        var def = obj.def
        if let xml {
            def = try DomainDef.parse(xml)
            try DomainABIStability.check(source: obj.def, destination: def)
        }
        let image = QemuSaveImage(xml: def.format(.migratable),
                                  wasRunning: flags.contains(.running) || (wasRunning && !flags.contains(.paused)))
        // Recorded before the guest pauses: a driver that dies during the
        // save leaves the next one what it needs to undo it (recoverSave).
        obj.qemu.setStatusExtra(.saveJob, XMLElement(QemuStatusExtra.saveJob.rawValue, attributes: [
            XMLAttribute("path", path), XMLAttribute("wasRunning", wasRunning ? "yes" : "no"),
        ]))
        do { try state.saveStatusChecked(obj) } catch {
            obj.qemu.setStatusExtra(.saveJob, nil)
            throw error
        }
        if wasRunning {
            do { try await QemuDomainProcess.stopCPUs(state, obj, reason: .save) } catch {
                forgetSaveJob(obj)
                throw error
            }
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let e = VirError.system(errno, "Failed to create domain save file '\(path)'")
            await resumeAfterFailedSave(obj, wasRunning)
            throw e
        }
        var ok = false
        defer {
            Glibc.close(fd)
            if !ok { unlink(path) }
        }
        do throws(VirError) {
            let prefix = image.prefix(partial: true)
            guard prefix.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == prefix.count else {
                throw VirError.system(errno, "failed to write header to domain save file '\(path)'")
            }
            var failure: String?
            do throws(QemuMonitorError) {
                let monitor = try await instance.monitor()
                // A QEMU that was a local migration's destination skips
                // shared RAM: a save must write all of it.
                try await monitor.migrateSetCapabilities(["x-ignore-shared": false, "events": true])
                try await monitor.getfd(fd, name: "save")
                try await monitor.migrate(uri: "fd:save")
                while true {
                    let s = try await monitor.queryMigrate()
                    if s.status == .completed { break }
                    if s.status == .cancelled {
                        failure = "canceled by client"
                        break
                    }
                    if s.status == .failed {
                        failure = s.errorDescription ?? "unexpectedly failed"
                        break
                    }
                    await VirTime.pause(.milliseconds(20))
                }
            } catch {
                throw VirError(error)
            }
            // libvirt: qemuMigrationJobCheckStatus.
            if let failure {
                throw VirError(failure == "canceled by client" ? .operationAborted : .operationFailed, "domain save job: \(failure)")
            }
            // The stream is complete: the image becomes whole.
            guard fsync(fd) == 0, pwrite(fd, QemuSaveImage.magic, QemuSaveImage.magic.count, 0) == QemuSaveImage.magic.count,
                  fsync(fd) == 0 else {
                throw VirError.system(errno, "failed to write header to domain save file '\(path)'")
            }
        } catch {
            await resumeAfterFailedSave(obj, wasRunning)
            throw error
        }
        ok = true
        await QemuDomainProcess.stop(state, obj, reason: .saved, event: .saved)
    }

    private func resumeAfterFailedSave(_ obj: DomainObj, _ wasRunning: Bool) async {
        if wasRunning {
            await state.log.bestEffort("resume the guest after a failed save", domain: obj.name) {
                try await QemuDomainProcess.startCPUs(state, obj, reason: .saveCanceled)
            }
        }
        forgetSaveJob(obj)
    }

    /// The save is over without stopping the guest: its record goes.
    private func forgetSaveJob(_ obj: DomainObj) {
        obj.qemu.setStatusExtra(.saveJob, nil)
        state.saveStatus(obj)
    }

    /// Starts a new QEMU from a save image: the domain (defined or not) must
    /// be shut off; it runs after, unless it was paused when saved (or
    /// `flags` say).
    ///
    /// libvirt: `qemuDomainRestoreFlags` → `qemuSaveImageStartVM`.
    @discardableResult
    public func restore(from path: String, xml: String? = nil, flags: DomainSaveFlags = []) async throws(VirError) -> DomainRef {
        try checkSaveFlags(flags, "qemuDomainRestoreFlags")
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw VirError.system(errno, "Failed to open domain image file '\(path)'") }
        defer { Glibc.close(fd) }
        let image = try QemuSaveImage.read(fd, path: path)
        var def = try DomainDef.parse(xml ?? image.xml)
        if xml != nil { try DomainABIStability.check(source: try DomainDef.parse(image.xml), destination: def) }
        try QemuDomainDefPostParse.apply(&def, caps: state.caps, config: driver.config, assignAddresses: false)
        let (obj, _) = try domains.add(def, flags: [.checkLive, .live])
        do {
            try await withJob(obj, .modify, api: "qemuDomainRestoreFlags") { () throws(VirError) in
                try await restoreInternal(obj, fd: fd, def: def, image: image, flags: flags)
            }
        } catch {
            if !obj.isActive && !obj.persistent { domains.remove(obj) }
            throw error
        }
        return ref(obj)
    }

    /// `start` of a domain with a managed save image: restored from it,
    /// the image removed once the guest runs again.
    ///
    /// libvirt: `qemuDomainObjRestore`.
    func restoreManagedSave(_ obj: DomainObj, path: String, paused: Bool) async throws(VirError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw VirError.system(errno, "Failed to open domain image file '\(path)'") }
        defer { Glibc.close(fd) }
        let image = try QemuSaveImage.read(fd, path: path)
        var def = try DomainDef.parse(image.xml)
        try QemuDomainDefPostParse.apply(&def, caps: state.caps, config: driver.config, assignAddresses: false)
        try await restoreInternal(obj, fd: fd, def: def, image: image, flags: paused ? .paused : [])
        state.log.bestEffort("remove the managed save image", domain: obj.name) {
            if unlink(path) != 0 { throw VirError.system(errno, "Failed to remove managed save file '\(path)'") }
        }
    }

    /// libvirt: `qemuSaveImageStartVM`.
    func restoreInternal(_ obj: DomainObj, fd: Int32, def: DomainDef, image: QemuSaveImage, flags: DomainSaveFlags) async throws(VirError) {
        guard !obj.isActive else { throw VirError(.operationInvalid, "domain '\(obj.name)' is already active") }
        let instance = try await QemuDomainProcess.startIncoming(state, obj, def: def)
        do throws(VirError) {
            var failure: String?
            do throws(QemuMonitorError) {
                let monitor = try await instance.monitor()
                try await monitor.getfd(fd, name: "restore")
                try await monitor.migrateIncoming(uri: "fd:restore")
                while true {
                    let s = try await monitor.queryMigrate()
                    if s.status == .completed { break }
                    if s.status == .failed || s.status == .cancelled || instance.hasExited {
                        failure = s.errorDescription ?? "unexpectedly failed"
                        break
                    }
                    await VirTime.pause(.milliseconds(20))
                }
            } catch {
                throw VirError(error)
            }
            if let failure { throw VirError(.operationFailed, "domain restore job: \(failure)") }
            state.emit(obj, .started(.restored))
            let run = flags.contains(.running) || (image.wasRunning && !flags.contains(.paused))
            if run {
                try await QemuDomainProcess.startCPUs(state, obj, reason: .restored)
            } else {
                obj.setState(.paused(.user))
                state.saveStatus(obj)
                state.emit(obj, .suspended(.restored))
            }
        } catch {
            await QemuDomainProcess.stop(state, obj, reason: .failed, event: .failed)
            throw error
        }
    }
}
