import virutil
import Foundation
import Glibc
import Synchronization
import domain_conf
import libvirt_abi
import qemu_domain
import qemu_monitor
import qemu_process
import virdomainobjlist

/// One client connection to a QEMU driver: the API that `virsh` and the
/// daemon call, one method per libvirt entry point.
///
/// libvirt: the `virHypervisorDriver` table of src/qemu/qemu_driver.c.
public final class QemuConnection: Sendable {
    public let driver: QemuDriver
    /// Unique in the process: the key of this connection's close callbacks.
    public let id: Int
    var state: QemuDriverState { driver.state }
    var domains: DomainObjList { driver.state.domains }

    struct Local {
        var closed = false
        var eventCallbacks: Set<Int> = []
    }
    let local = Mutex(Local())
    private static let nextID = Atomic<Int>(1)

    init(driver: QemuDriver) {
        self.driver = driver
        self.id = Self.nextID.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Whether `close()` was called.
    public var isClosed: Bool { local.withLock { $0.closed } }

    /// Closes the connection: its event callbacks go, and its close
    /// callbacks run (an autodestroy domain is destroyed, a migration it
    /// drove is finished or rolled back). Idempotent.
    ///
    /// libvirt: `qemuConnectClose` → `virCloseCallbacksRun`.
    public func close() async {
        let events = local.withLock { l -> Set<Int> in
            defer {
                l.closed = true
                l.eventCallbacks = []
            }
            return l.closed ? [] : l.eventCallbacks
        }
        for e in events { state.events.deregister(e) }
        await driver.runCloseCallbacks(for: self)
    }

    // MARK: the connection

    /// libvirt: `qemuConnectGetURI`.
    public var uri: String { driver.config.uri }

    /// libvirt: `qemuConnectGetHostname`.
    public var hostname: String { state.hostname }

    /// The host's UUID (`virConnectGetCapabilities` → host/uuid).
    public var hostUUID: DomainUUID { state.hostUUID }

    /// The version of the libvirt this driver mirrors, as libvirt encodes
    /// versions (major * 1,000,000 + minor * 1,000 + micro).
    ///
    /// libvirt: `virConnectGetLibVersion`.
    public static let libVersion: UInt64 = 9_000_000

    /// The QEMU version of the default emulator, read once per driver.
    ///
    /// libvirt: `qemuConnectGetVersion`.
    public func hypervisorVersion() -> UInt64 {
        driver.hypervisorVersion
    }

    // MARK: lookups

    /// libvirt: `qemuDomainLookupByName`.
    public func lookup(name: String) throws(VirError) -> DomainRef {
        guard let obj = domains.findByName(name) else {
            throw VirError(.noDomain, "no domain with matching name '\(name)'")
        }
        return ref(obj)
    }

    /// libvirt: `qemuDomainLookupByUUID`.
    public func lookup(uuid: DomainUUID) throws(VirError) -> DomainRef {
        guard let obj = domains.findByUUID(uuid) else {
            throw VirError(.noDomain, "no domain with matching uuid '\(uuid)'")
        }
        return ref(obj)
    }

    /// libvirt: `qemuDomainLookupByID`.
    public func lookup(id: Int) throws(VirError) -> DomainRef {
        guard let obj = domains.findByID(id) else {
            throw VirError(.noDomain, "no domain with matching id \(id)")
        }
        return ref(obj)
    }

    /// libvirt: `qemuConnectListAllDomains`.
    public func listAllDomains(_ flags: ListAllDomainsFlags = []) -> [DomainRef] {
        domains.list(flags).map(ref)
    }

    func ref(_ obj: DomainObj) -> DomainRef {
        obj.withLock { DomainRef(name: $0.name, uuid: obj.uuid, id: $0.id) }
    }

    /// The object behind a domain reference.
    ///
    /// libvirt: `qemuDomainObjFromDomain`.
    public func obj(_ dom: DomainRef) throws(VirError) -> DomainObj {
        guard let obj = domains.findByUUID(dom.uuid) else {
            throw VirError(.noDomain, "no domain with matching uuid '\(dom.uuid)' (\(dom.name))")
        }
        return obj
    }

    // MARK: definitions

    /// Defines (or redefines) a persistent domain.
    ///
    /// libvirt: `qemuDomainDefineXMLFlags`.
    @discardableResult
    public func defineXML(_ xml: String, validate: Bool = false) throws(VirError) -> DomainRef {
        var def = try DomainDef.parse(xml, validate: validate)
        try QemuDomainDefPostParse.apply(&def, caps: state.caps, config: driver.config)
        let (obj, oldDef): (DomainObj, DomainDef?)
        (obj, oldDef) = try domains.add(def)
        let wasPersistent = obj.persistent
        obj.withLock { $0.persistent = true }
        do {
            try AtomicFile.write(def.format(.inactive), to: driver.config.configFile(name: def.name), mode: 0o600)
        } catch {
            if oldDef == nil && !obj.isActive && !wasPersistent {
                domains.remove(obj)
            } else {
                obj.withLock { f in
                    f.persistent = wasPersistent
                    if let oldDef { if f.id != nil { f.newDef = oldDef } else { f.def = oldDef } }
                }
            }
            throw error
        }
        if obj.state.state == .noState { obj.setState(.shutoff(.unknown)) }
        state.emit(obj, .defined(oldDef == nil && !wasPersistent ? LifecycleEvent.definedAdded : LifecycleEvent.definedUpdated))
        return ref(obj)
    }

    /// Removes a domain's persistent definition; a running domain goes on
    /// as a transient one.
    ///
    /// A UEFI domain's variable store (its `<nvram>`, or the default one
    /// of `<os firmware='efi'>`) that exists must be dealt with: `.nvram`
    /// removes it, `.keepNVRAM` keeps it, neither is refused ("cannot
    /// undefine domain with nvram"). This driver keeps no managed save,
    /// snapshots, checkpoints or TPM state, so their flags have nothing
    /// to do.
    ///
    /// libvirt: `qemuDomainUndefineFlags`.
    public func undefine(_ dom: DomainRef, flags: DomainUndefineFlags = []) async throws(VirError) {
        let unknown = flags.subtracting(.all)
        guard unknown.isEmpty else {
            throw VirError.unsupportedFlags(unknown.rawValue, in: "qemuDomainUndefineFlags")
        }
        if flags.contains(.nvram) && flags.contains(.keepNVRAM) {
            throw VirError(.operationInvalid, "cannot both keep and delete nvram")
        }
        if flags.contains(.tpm) && flags.contains(.keepTPM) {
            throw VirError(.operationInvalid, "cannot both keep and delete TPM")
        }
        let obj = try obj(dom)
        try await withJob(obj, .modify, api: "qemuDomainUndefineFlags") { () throws(VirError) in
            guard obj.persistent else {
                throw VirError(.operationInvalid, "cannot undefine transient domain")
            }
            let name = obj.name
            // libvirt: qemuDomainUndefineFlags and the managed save image.
            let managed = driver.config.managedSaveFile(name: name)
            if access(managed, F_OK) == 0 {
                guard flags.contains(.managedSave) else {
                    throw VirError(.operationInvalid, "Refusing to undefine while domain managed save image exists")
                }
                guard unlink(managed) == 0 else { throw VirError.system(errno, "Failed to remove managed save file '\(managed)'") }
            }
            let def = obj.def
            let nvram = def.os.loader?.nvram ?? (def.os.firmware == "efi" ? driver.config.nvramFile(name: name) : nil)
            if let nvram, access(nvram, F_OK) == 0 {
                if flags.contains(.nvram) {
                    guard unlink(nvram) == 0 else { throw VirError.system(errno, "failed to remove nvram: \(nvram)") }
                } else if !flags.contains(.keepNVRAM) {
                    throw VirError(.operationInvalid, "cannot undefine domain with nvram")
                }
            }
            // Not fatal, as in libvirt's virDomainDeleteConfig.
            state.log.bestEffort("remove the autostart link", domain: name) { try VirFile.remove(driver.config.autostartLink(name: name)) }
            if unlink(driver.config.configFile(name: name)) != 0 && errno != ENOENT {
                throw VirError.system(errno, "cannot remove config \(driver.config.configFile(name: name))")
            }
            state.emit(obj, .undefined(LifecycleEvent.undefinedRemoved))
            obj.withLock { f in
                f.autostart = false
                f.persistent = false
                f.newDef = nil
            }
            if !obj.isActive {
                domains.remove(obj)
                state.rememberShutoffReason(obj.uuid, nil)
                try state.setMigrationLimits(obj.uuid, nil)
            } else {
                state.saveStatus(obj)
            }
        }
    }

    /// libvirt: `qemuDomainGetAutostart`.
    public func autostart(_ dom: DomainRef) throws(VirError) -> Bool {
        try obj(dom).autostart
    }

    /// Makes a persistent domain start with the driver, or not.
    ///
    /// libvirt: `qemuDomainSetAutostart`.
    public func setAutostart(_ dom: DomainRef, _ on: Bool) throws(VirError) {
        let obj = try obj(dom)
        guard obj.persistent else {
            throw VirError(.operationInvalid, "cannot set autostart for transient domain")
        }
        let link = driver.config.autostartLink(name: obj.name)
        if unlink(link) != 0 && errno != ENOENT && errno != ENOTDIR {
            throw VirError.system(errno, "Failed to delete symlink '\(link)'")
        }
        if on {
            guard symlink(driver.config.configFile(name: obj.name), link) == 0 else {
                throw VirError.system(errno, "Failed to create symlink '\(link)' to '\(driver.config.configFile(name: obj.name))'")
            }
        }
        obj.withLock { $0.autostart = on }
    }

    // MARK: lifecycle

    /// Starts a defined domain.
    ///
    /// libvirt: `qemuDomainCreateWithFlags`.
    ///
    /// - Parameter autodestroy: destroy the domain when this connection
    ///   closes (`VIR_DOMAIN_START_AUTODESTROY`).
    /// - Parameter resetNVRAM: copy a UEFI domain's variable store from
    ///   its template again (`VIR_DOMAIN_START_RESET_NVRAM`).
    /// - Returns: the domain, now with its id.
    @discardableResult
    public func create(_ dom: DomainRef, paused: Bool = false, autodestroy: Bool = false,
                       resetNVRAM: Bool = false, forceBoot: Bool = false) async throws(VirError) -> DomainRef {
        let obj = try obj(dom)
        try await withJob(obj, .modify, api: "qemuDomainCreateWithFlags") { () throws(VirError) in
            guard !obj.isActive else {
                throw VirError(.operationInvalid, "domain is already running")
            }
            // A managed save image: the domain goes on from it (libvirt:
            // qemuDomainObjStart), unless --force-boot throws it away.
            let managed = driver.config.managedSaveFile(name: obj.name)
            if obj.persistent && access(managed, F_OK) == 0 {
                if forceBoot {
                    if unlink(managed) != 0 { throw VirError.system(errno, "cannot remove managed save file \(managed)") }
                } else {
                    try await restoreManagedSave(obj, path: managed, paused: paused)
                    if autodestroy { driver.setAutodestroy(obj, connection: self) }
                    return
                }
            }
            try await QemuDomainProcess.start(state, obj, paused: paused, resetNVRAM: resetNVRAM)
            if autodestroy { driver.setAutodestroy(obj, connection: self) }
        }
        return ref(obj)
    }

    /// Starts a transient domain from XML.
    ///
    /// libvirt: `qemuDomainCreateXML`.
    @discardableResult
    public func createXML(_ xml: String, paused: Bool = false, validate: Bool = false,
                          autodestroy: Bool = false, resetNVRAM: Bool = false) async throws(VirError) -> DomainRef {
        var def = try DomainDef.parse(xml, validate: validate)
        try QemuDomainDefPostParse.apply(&def, caps: state.caps, config: driver.config)
        let obj = try domains.add(def, flags: [.checkLive, .live]).obj
        do {
            try await withJob(obj, .modify, api: "qemuDomainCreateXML") { () throws(VirError) in
                _ = try await QemuDomainProcess.start(state, obj, paused: paused, resetNVRAM: resetNVRAM)
            }
        } catch {
            if !obj.isActive && !obj.persistent { domains.remove(obj) }
            throw error
        }
        return ref(obj)
    }

    /// Stops a domain at once (the guest is not asked).
    ///
    /// libvirt: `qemuDomainDestroyFlags`.
    public func destroy(_ dom: DomainRef, graceful: Bool = true) async throws(VirError) {
        let obj = try obj(dom)
        try await withJob(obj, .destroy, api: "qemuDomainDestroyFlags") { () throws(VirError) in
            guard obj.isActive else { throw VirError.notRunning }
            await QemuDomainProcess.stop(state, obj, reason: .destroyed, event: .destroyed, graceful: graceful)
        }
    }

    /// Resets the guest as a reset button would: it reboots at once, with
    /// no shutdown, in the same QEMU.
    ///
    /// libvirt: `qemuDomainReset`.
    public func reset(_ dom: DomainRef, flags: UInt32 = 0) async throws(VirError) {
        guard flags == 0 else {
            throw VirError.unsupportedFlags(flags, in: "qemuDomainReset")
        }
        let obj = try obj(dom)
        try await withJob(obj, .modify, api: "qemuDomainReset") { () throws(VirError) in
            guard obj.isActive, let instance = obj.qemu.instance else { throw VirError.notRunning }
            do throws(QemuMonitorError) {
                try await instance.monitor().systemReset()
                await QemuFakeReboot.disarm(state, obj, instance)
            } catch {
                throw VirError(error)
            }
        }
    }

    /// libvirt: `qemuDomainSuspend`.
    public func suspend(_ dom: DomainRef) async throws(VirError) {
        let obj = try obj(dom)
        try await withJob(obj, .suspend, api: "qemuDomainSuspend") { () throws(VirError) in
            guard obj.isActive else { throw VirError.notRunning }
            guard obj.state.state != .paused else { return }
            // During an outgoing migration the pause is the migration's
            // (libvirt: VIR_DOMAIN_PAUSED_MIGRATION, event detail migrated).
            let reason: PausedReason = obj.qemu.jobs.asyncJob == .migrationOut ? .migration : .user
            try await QemuDomainProcess.stopCPUs(state, obj, reason: reason)
        }
    }

    /// libvirt: `qemuDomainResume`.
    public func resume(_ dom: DomainRef) async throws(VirError) {
        let obj = try obj(dom)
        try await withJob(obj, .modify, api: "qemuDomainResume") { () throws(VirError) in
            guard obj.isActive else { throw VirError.notRunning }
            let st = obj.state.state
            if st == .pmSuspended {
                throw VirError(.operationInvalid, "domain is pmsuspended")
            }
            guard st != .running else { return }
            try await QemuDomainProcess.startCPUs(state, obj, reason: .unpaused)
        }
    }

    // MARK: information

    /// libvirt: `qemuDomainGetInfo`.
    public func info(_ dom: DomainRef) throws(VirError) -> DomainInfo {
        let obj = try obj(dom)
        let (def, st) = obj.withLock { ($0.def, $0.state) }
        var cpuTime: UInt64 = 0
        if let pid = obj.qemu.instance?.pid { cpuTime = Self.cpuTime(pid) }
        return DomainInfo(state: st.state, maxMemory: def.memory, memory: def.currentMemory, vcpus: def.currentVcpus, cpuTime: cpuTime)
    }

    /// Whether a job holds the domain, and for how long: an async job (a
    /// migration) is `job`, any other `occupied`.
    ///
    /// libvirt: `qemuDomainGetControlInfo`.
    public func controlInfo(_ dom: DomainRef, flags: UInt32 = 0) throws(VirError) -> DomainControlInfo {
        try Self.checkFlags(flags, allowed: 0, "qemuDomainGetControlInfo")
        let obj = try obj(dom)
        guard obj.isActive else { throw VirError.notRunning }
        let now = VirTime.millisNow()
        if obj.qemu.jobs.asyncJob != nil {
            let started = obj.qemu.jobs.asyncStarted
            return DomainControlInfo(state: .job, details: 0, stateTime: now >= started ? now - started : 0)
        }
        if let started = obj.qemu.jobs.jobStarted {
            return DomainControlInfo(state: .occupied, details: 0, stateTime: now >= started ? now - started : 0)
        }
        return DomainControlInfo(state: .ok, details: 0, stateTime: 0)
    }

    /// The free memory of NUMA cells `start`... (at most `maxCells`), in
    /// bytes.
    ///
    /// libvirt: `qemuNodeGetCellsFreeMemory` (with the checks of
    /// `virNodeGetCellsFreeMemory`).
    public func cellsFreeMemory(start: Int, maxCells: Int) throws(VirError) -> [UInt64] {
        guard start >= 0 else {
            throw VirError(.invalidArg, "startCell in virNodeGetCellsFreeMemory must be greater than or equal to zero")
        }
        guard maxCells > 0 else {
            throw VirError(.invalidArg, "maxCells in virNodeGetCellsFreeMemory must be greater than zero")
        }
        return try NodeFreeMemory.cells(start: start, max: maxCells)
    }

    /// The host's free memory, in bytes. libvirt: `qemuNodeGetFreeMemory`.
    public func freeMemory() -> UInt64 {
        NodeFreeMemory.total()
    }

    /// libvirt: `qemuNodeGetInfo`.
    public func nodeInfo() throws(VirError) -> NodeInfo {
        try NodeInfo.read()
    }

    /// The host's SMBIOS tables, read once per process as libvirt's daemon
    /// reads them once at its start (`dmidecode`).
    static let hostSysinfo: SysinfoDef? = HostSysinfo.read()

    /// The host's `<sysinfo>`.
    ///
    /// libvirt: `qemuConnectGetSysinfo`.
    public func sysinfo(flags: UInt32 = 0) throws(VirError) -> String {
        if flags != 0 { throw VirError.unsupportedFlags(flags, in: "qemuConnectGetSysinfo") }
        guard let info = Self.hostSysinfo else {
            throw VirError(.configUnsupported, "Host SMBIOS information is not available")
        }
        return info.format()
    }

    /// libvirt: `qemuDomainGetState`.
    public func state(_ dom: DomainRef) throws(VirError) -> DomainStateReason {
        try obj(dom).state
    }

    /// libvirt: `qemuDomainIsPersistent`.
    public func isPersistent(_ dom: DomainRef) throws(VirError) -> Bool {
        try obj(dom).persistent
    }

    /// The guest's OS type (`hvm`). libvirt: `qemuDomainGetOSType`.
    public func osType(_ dom: DomainRef) throws(VirError) -> String {
        try obj(dom).def.os.type
    }

    /// libvirt: `qemuDomainIsActive`.
    public func isActive(_ dom: DomainRef) throws(VirError) -> Bool {
        try obj(dom).isActive
    }

    /// The domain's XML: live (with id), or the persistent definition with
    /// `.inactive`, or what a migration destination needs with `.migratable`;
    /// secrets only with `.secure`.
    ///
    /// libvirt: `qemuDomainGetXMLDesc`.
    public func xmlDesc(_ dom: DomainRef, flags: DomainDef.FormatFlags = []) throws(VirError) -> String {
        let obj = try obj(dom)
        let def = flags.contains(.inactive) ? obj.persistentDef : obj.def
        return (flags.contains(.secure) ? def : def.withoutSecrets()).format(flags)
    }

    /// The QEMU process's pid (for tests and the demo).
    public func pid(_ dom: DomainRef) throws(VirError) -> Int32? {
        try obj(dom).qemu.instance?.pid
    }

    /// Reads a 32-bit value of guest memory (for tests and the demo:
    /// the counter guest keeps its counter at 0x500).
    public func readGuestMemory32(_ dom: DomainRef, at address: UInt64) async throws(VirError) -> UInt32 {
        guard let instance = try obj(dom).qemu.instance else { throw VirError.notRunning }
        do { return try await instance.monitor().readGuestMemory32(at: address) } catch { throw VirError(error) }
    }

    /// Registers a lifecycle event callback. libvirt: `virConnectDomainEventRegisterAny`.
    @discardableResult
    public func registerLifecycleEvents(_ callback: @escaping @Sendable (DomainEventDispatcher.Event) -> Void) -> Int {
        registerEvents(.lifecycle, callback)
    }

    /// Registers a callback for one kind of event. A kind this driver never
    /// emits can be registered too, as libvirt allows; it is never called.
    ///
    /// libvirt: `virConnectDomainEventRegisterAny`.
    @discardableResult
    public func registerEvents(_ eventID: DomainEventID, _ callback: @escaping @Sendable (DomainEventDispatcher.Event) -> Void) -> Int {
        let id = state.events.register(eventID, callback)
        local.withLock { _ = $0.eventCallbacks.insert(id) }
        return id
    }

    /// libvirt: `virConnectDomainEventDeregisterAny`.
    public func deregisterEvents(_ id: Int) {
        local.withLock { _ = $0.eventCallbacks.remove(id) }
        state.events.deregister(id)
    }

    // MARK: helpers

    /// Runs `body` holding a job on the object (libvirt:
    /// `virDomainObjBeginJob` / `virDomainObjEndJob`).
    func withJob<R>(_ obj: DomainObj, _ job: QemuJob, api: String,
                    _ body: () async throws(VirError) -> R) async throws(VirError) -> R {
        try await obj.qemu.jobs.begin(job, api: api, domainName: obj.name)
        defer { obj.qemu.jobs.end() }
        return try await body()
    }

    /// utime + stime of a process, in nanoseconds (0: the process is gone).
    static func cpuTime(_ pid: Int32) -> UInt64 {
        ProcStat.read(pid)?.cpuTimeNanoseconds ?? 0
    }
}
