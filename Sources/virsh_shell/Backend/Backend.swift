import libvirt_abi
import qemu_driver

/// An error as virsh reports it: libvirt's whole message (what
/// `virGetLastErrorMessage` gives) and its code.
struct VirshError: Error, Sendable {
    let code: ErrorNumber
    let message: String

    init(code: ErrorNumber, message: String) {
        self.code = code
        self.message = message
    }

    /// A driver error, in libvirt's words.
    init(_ e: any LibvirtError) {
        self.init(code: e.code, message: e.message)
    }

    /// Something virsh itself refuses (libvirt's `VIR_ERR_ARGUMENT_UNSUPPORTED`
    /// layout: "argument unsupported: ...").
    static func unsupported(_ what: String) -> VirshError {
        VirshError(code: .argumentUnsupported, message: ErrorNumber.argumentUnsupported.format(what))
    }
}

/// What `virDomainGetInfo` returns.
struct VirshDomainInfo: Sendable {
    var state: Int32
    /// KiB.
    var maxMemory: UInt64
    /// KiB.
    var memory: UInt64
    var vcpus: UInt32
    /// Nanoseconds.
    var cpuTime: UInt64
}

/// What `virDomainGetJobInfo` returns (the job watcher reads type and
/// data figures; `domjobinfo` falls back on it).
struct VirshJobProgress: Sendable {
    var type: DomainJobType
    var dataTotal: UInt64
    var dataRemaining: UInt64
    var timeElapsed: UInt64 = 0
    var timeRemaining: UInt64 = 0
    var dataProcessed: UInt64 = 0
    var memTotal: UInt64 = 0
    var memProcessed: UInt64 = 0
    var memRemaining: UInt64 = 0
    var fileTotal: UInt64 = 0
    var fileProcessed: UInt64 = 0
    var fileRemaining: UInt64 = 0

    /// As the typed parameters of `virDomainGetJobStats`.
    var parameters: [TypedParameter] {
        [("time_elapsed", timeElapsed), ("time_remaining", timeRemaining), ("data_total", dataTotal),
         ("data_processed", dataProcessed), ("data_remaining", dataRemaining), ("memory_total", memTotal),
         ("memory_processed", memProcessed), ("memory_remaining", memRemaining), ("disk_total", fileTotal),
         ("disk_processed", fileProcessed), ("disk_remaining", fileRemaining)]
            .map { TypedParameter($0.0, .ullong($0.1)) }
    }
}

/// libvirt's `VIR_DOMAIN_XML_*` flags, the numbers are libvirt's.
struct DomainXMLFlags: OptionSet, Sendable {
    let rawValue: UInt32
    static let secure = DomainXMLFlags(rawValue: 1 << 0)
    static let inactive = DomainXMLFlags(rawValue: 1 << 1)
    static let updateCPU = DomainXMLFlags(rawValue: 1 << 2)
    static let migratable = DomainXMLFlags(rawValue: 1 << 3)
}

/// libvirt's `VIR_DOMAIN_START_*` flags.
struct DomainStartFlags: OptionSet, Sendable {
    let rawValue: UInt32
    static let paused = DomainStartFlags(rawValue: 1 << 0)
    static let autodestroy = DomainStartFlags(rawValue: 1 << 1)
    static let bypassCache = DomainStartFlags(rawValue: 1 << 2)
    static let forceBoot = DomainStartFlags(rawValue: 1 << 3)
    static let validate = DomainStartFlags(rawValue: 1 << 4)
    static let resetNVRAM = DomainStartFlags(rawValue: 1 << 5)
}

/// A domain handle as a connection hands it out (`virDomainPtr`): name,
/// UUID and id are fixed when the handle is made, as in libvirt.
protocol VirshDomain: Sendable {
    var name: String { get }
    /// The UUID in libvirt's text form.
    var uuid: String { get }
    /// The id, `nil` for an inactive domain (libvirt's -1).
    var id: Int? { get }

    /// libvirt: `virDomainGetOSType`.
    func osType() async throws(VirshError) -> String
    /// libvirt: `virDomainGetInfo`.
    func info() async throws(VirshError) -> VirshDomainInfo
    /// State and reason numbers (libvirt: `virDomainGetState`).
    func state() async throws(VirshError) -> (state: Int32, reason: Int32)
    /// libvirt: `virDomainMemoryStats` (tag numbers and values).
    func memoryStats() async throws(VirshError) -> [(tag: Int32, value: UInt64)]
    /// libvirt: `virDomainSetMemoryStatsPeriod`.
    func setMemoryStatsPeriod(_ seconds: Int32, flags: UInt32) async throws(VirshError)
    /// libvirt: `virDomainGetControlInfo` (state, details, ms in the state).
    func controlInfo() async throws(VirshError) -> (state: Int32, details: Int32, stateTime: UInt64)
    /// libvirt: `virDomainIsActive`.
    func isActive() async throws(VirshError) -> Bool
    /// libvirt: `virDomainIsPersistent`.
    func isPersistent() async throws(VirshError) -> Bool
    /// libvirt: `virDomainGetAutostart`.
    func autostart() async throws(VirshError) -> Bool
    /// libvirt: `virDomainSetAutostart`.
    func setAutostart(_ on: Bool) async throws(VirshError)
    /// libvirt: `virDomainHasManagedSaveImage`.
    func hasManagedSaveImage() async throws(VirshError) -> Bool
    /// libvirt: `virDomainGetSecurityLabel` (label and enforcing).
    func securityLabel() async throws(VirshError) -> (label: String, enforcing: Bool)
    /// libvirt: `virDomainGetMessages`.
    func messages() async throws(VirshError) -> [String]
    /// libvirt: `virDomainGetXMLDesc`.
    func xmlDesc(_ flags: DomainXMLFlags) async throws(VirshError) -> String

    /// libvirt: `virDomainCreateWithFlags`.
    func create(_ flags: DomainStartFlags) async throws(VirshError)
    /// libvirt: `virDomainDestroyFlags` (`graceful`: `VIR_DOMAIN_DESTROY_GRACEFUL`).
    func destroy(graceful: Bool) async throws(VirshError)
    /// libvirt: `virDomainShutdownFlags`, or `virDomainShutdown` without
    /// flags (as virsh calls them).
    func shutdown(flags: UInt32) async throws(VirshError)
    /// libvirt: `virDomainReboot`.
    func reboot(flags: UInt32) async throws(VirshError)
    /// libvirt: `virDomainSuspend`.
    func suspend() async throws(VirshError)
    /// libvirt: `virDomainResume`.
    func resume() async throws(VirshError)
    /// libvirt: `virDomainReset`.
    func reset() async throws(VirshError)
    /// The guest's screen `screen`: its MIME type and the image.
    ///
    /// libvirt: `virStreamNew`, `virDomainScreenshot`, `virStreamRecvAll`,
    /// `virStreamFinish`.
    func screenshot(screen: UInt32) async throws(VirshError) -> (mime: String, data: [UInt8])
    /// libvirt: `virDomainSendKey`.
    func sendKey(codeset: UInt32, holdtime: UInt32, keycodes: [UInt32]) async throws(VirshError)
    /// `flags`: `VIR_DOMAIN_AFFECT_*`, `VIR_DOMAIN_MEM_MAXIMUM`.
    ///
    /// libvirt: `virDomainSetMemoryFlags`.
    func setMemory(kibibytes: UInt64, flags: UInt32) async throws(VirshError)
    /// `flags`: `VIR_DOMAIN_VCPU_*`; `nil` calls the form without flags.
    ///
    /// libvirt: `virDomainSetVcpusFlags`, `virDomainSetVcpus`.
    func setVcpus(_ count: UInt32, flags: UInt32?) async throws(VirshError)
    /// libvirt: `virDomainGetVcpusFlags` (`VIR_DOMAIN_VCPU_*`).
    func vcpuCount(flags: UInt32) async throws(VirshError) -> Int32
    /// `flags`: `VIR_DOMAIN_AFFECT_*`; `nil` calls the form without flags.
    ///
    /// libvirt: `virDomainAttachDeviceFlags`, `virDomainAttachDevice`.
    func attachDevice(_ xml: String, flags: UInt32?) async throws(VirshError)
    /// libvirt: `virDomainDetachDeviceFlags`, `virDomainDetachDevice`.
    func detachDevice(_ xml: String, flags: UInt32?) async throws(VirshError)
    /// libvirt: `virDomainUpdateDeviceFlags` (`VIR_DOMAIN_AFFECT_*`,
    /// `VIR_DOMAIN_DEVICE_MODIFY_FORCE`).
    func updateDevice(_ xml: String, flags: UInt32) async throws(VirshError)
    /// The running vCPUs, at most `maxInfo`, their affinity over
    /// `hostCPUs` CPUs.
    ///
    /// libvirt: `virDomainGetVcpus`.
    func vcpus(maxInfo: Int, hostCPUs: Int) async throws(VirshError) -> [VirshVcpuInfo]
    /// The pinning of `count` vCPUs over `hostCPUs` (`flags`:
    /// `VIR_DOMAIN_AFFECT_*`).
    ///
    /// libvirt: `virDomainGetVcpuPinInfo`.
    func vcpuPinInfo(count: Int, hostCPUs: Int, flags: UInt32) async throws(VirshError) -> [[Bool]]
    /// `flags`: `VIR_DOMAIN_SAVE_*`; 0 and no XML call the form without
    /// flags.
    ///
    /// libvirt: `virDomainSaveFlags`, `virDomainSave`.
    func save(to path: String, xml: String?, flags: UInt32) async throws(VirshError)
    /// libvirt: `virDomainManagedSave`.
    func managedSave(flags: UInt32) async throws(VirshError)
    /// libvirt: `virDomainManagedSaveRemove`.
    func managedSaveRemove() async throws(VirshError)
    /// libvirt: `virDomainGetMetadata` (`type`: `virDomainMetadataType`).
    func metadata(type: Int32, uri: String?, flags: UInt32) async throws(VirshError) -> String
    /// libvirt: `virDomainSetMetadata`.
    func setMetadata(type: Int32, metadata: String?, key: String?, uri: String?, flags: UInt32) async throws(VirshError)
    /// libvirt: `virDomainBlockStatsFlags` (the count, then the values).
    func blockStats(_ path: String) async throws(VirshError) -> [TypedParameter]
    /// `rx_bytes`, `rx_packets`, `rx_errs`, `rx_drop`, then the same for
    /// `tx_` (-1: unknown).
    ///
    /// libvirt: `virDomainInterfaceStats`.
    func interfaceStats(_ device: String) async throws(VirshError) -> [Int64]
    /// The guest's clock, from its agent.
    ///
    /// libvirt: `virDomainGetTime`.
    func guestTime() async throws(VirshError) -> (seconds: Int64, nseconds: UInt32)
    /// libvirt: `virDomainSetTime` (`flags`: `VIR_DOMAIN_TIME_SYNC`).
    func setGuestTime(seconds: Int64, nseconds: UInt32, flags: UInt32) async throws(VirshError)
    /// What the guest says about itself, from its agent (`types`:
    /// `virDomainGuestInfoTypes`, 0 for all).
    ///
    /// libvirt: `virDomainGetGuestInfo`.
    func guestInfo(types: UInt32) async throws(VirshError) -> [TypedParameter]
    /// The guest's interfaces and their addresses (`source`:
    /// `virDomainInterfaceAddressesSource`).
    ///
    /// libvirt: `virDomainInterfaceAddresses`.
    func interfaceAddresses(source: UInt32) async throws(VirshError) -> [VirshInterfaceAddresses]
    /// libvirt: `virDomainGetHostname` (`VIR_DOMAIN_GET_HOSTNAME_LEASE`, `_AGENT`).
    func guestHostname(flags: UInt32) async throws(VirshError) -> String
    /// The guest's mounted filesystems, from its agent.
    ///
    /// libvirt: `virDomainGetFSInfo`.
    func fsInfo() async throws(VirshError) -> [VirshFSInfo]
    /// `rd_req`, `rd_bytes`, `wr_req`, `wr_bytes`, `errs` (-1: unknown).
    ///
    /// libvirt: `virDomainBlockStats`.
    func blockStatsLegacy(_ path: String) async throws(VirshError) -> [Int64]
    /// A session on the domain's console (`devName`: by alias, else the
    /// first console). `flags`: `VIR_DOMAIN_CONSOLE_FORCE`, `_SAFE`.
    ///
    /// libvirt: `virStreamNew` with `VIR_STREAM_NONBLOCK`, `virDomainOpenConsole`.
    func openConsole(_ devName: String?, flags: UInt32) async throws(VirshError) -> any VirshConsoleStream
    /// libvirt: `virDomainUndefineFlags` (`virDomainUndefine` without flags).
    func undefine(_ flags: DomainUndefineFlags) async throws(VirshError)

    /// libvirt: `virDomainGetJobStats` (`VIR_DOMAIN_JOB_STATS_COMPLETED`).
    func jobStats(completed: Bool) async throws(VirshError) -> (type: Int32, params: [TypedParameter])
    /// libvirt: `virDomainGetJobInfo`, what the progress bar reads.
    func jobProgress() async throws(VirshError) -> VirshJobProgress
    /// libvirt: `virDomainAbortJob`.
    func abortJob() async throws(VirshError)
    /// libvirt: `virDomainMigrateSetMaxDowntime`.
    func migrateSetMaxDowntime(_ milliseconds: UInt64) async throws(VirshError)
    /// libvirt: `virDomainMigrateGetMaxDowntime`.
    func migrateGetMaxDowntime() async throws(VirshError) -> UInt64
    /// libvirt: `virDomainMigrateSetMaxSpeed` (MiB/s; `postcopy`:
    /// `VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY`).
    func migrateSetMaxSpeed(_ bandwidth: UInt64, postcopy: Bool) async throws(VirshError)
    /// libvirt: `virDomainMigrateGetMaxSpeed`.
    func migrateGetMaxSpeed(postcopy: Bool) async throws(VirshError) -> UInt64

    /// What a QEMU upgrade would change for this running domain: the QEMU
    /// its instance runs and the one now on disk at its emulator path. No
    /// libvirt API: the embedded driver answers from its own records;
    /// through libvirt, the running QEMU's `query-version` (a
    /// qemu-monitor-command, which taints the domain as libvirt does) and
    /// the binary probed here, on the same host as the daemon.
    func upgradeCandidate() async throws(VirshError) -> QemuUpgradeCandidate

    /// A command for the domain's QEMU monitor, QMP (JSON text) or with
    /// `hmp` a human monitor command line, and QEMU's answer as text. With
    /// `fds`, those descriptors of this process go along with it.
    ///
    /// libvirt: `virDomainQemuMonitorCommand`, with `fds`
    /// `virDomainQemuMonitorCommandWithFiles` (src/libvirt-qemu.c).
    func qemuMonitorCommand(_ cmd: String, hmp: Bool, fds: [Int32]?) async throws(VirshError) -> String
}

/// A connection to a hypervisor (`virConnectPtr`): the embedded driver in
/// this process, or libvirt's client library for every other URI.
protocol VirshConnection: AnyObject, Sendable {
    /// libvirt: `virConnectGetURI`.
    func uri() async throws(VirshError) -> String
    /// libvirt: `virConnectGetHostname`.
    func hostname() async throws(VirshError) -> String
    /// libvirt: `virConnectGetSysinfo`.
    func sysinfo() async throws(VirshError) -> String
    /// libvirt: `virNodeGetInfo`.
    func nodeInfo() async throws(VirshError) -> VirshNodeInfo
    /// libvirt: `virDomainRestoreFlags`, `virDomainRestore`.
    func restore(from path: String, xml: String?, flags: UInt32) async throws(VirshError)
    /// The host's CPU count (libvirt: `virNodeGetCPUMap` without the map).
    func nodeCPUCount() async throws(VirshError) -> Int
    /// libvirt: `virNodeGetFreeMemory` (bytes).
    func freeMemory() async throws(VirshError) -> UInt64
    /// libvirt: `virNodeGetCellsFreeMemory` (bytes, a cell each).
    func cellsFreeMemory(start: Int32, maxCells: Int32) async throws(VirshError) -> [UInt64]
    /// libvirt: `virConnectGetCapabilities`.
    func capabilities() async throws(VirshError) -> String
    /// libvirt: `virConnectGetDomainCapabilities` (no flags exist).
    func domainCapabilities(emulatorBin: String?, arch: String?, machine: String?, virtType: String?) async throws(VirshError) -> String
    /// libvirt: `virConnectGetMaxVcpus`.
    func maxVcpus(type: String?) async throws(VirshError) -> Int32
    /// The NUMA cells' ids, as the host capabilities list them
    /// (`/capabilities/host/topology/cells/cell/@id`).
    func numaCellIDs() async throws(VirshError) -> [UInt64]
    /// The command line a definition would run (`format` "qemu-argv").
    ///
    /// libvirt: `virConnectDomainXMLToNative`.
    func domainXMLToNative(format: String, xml: String) async throws(VirshError) -> String
    /// libvirt: `virConnectGetType` ("QEMU", "TEST", ...).
    func type() async throws(VirshError) -> String
    /// libvirt: `virConnectGetVersion` (0: unknown).
    func hypervisorVersion() async throws(VirshError) -> UInt64
    /// libvirt: `virConnectGetLibVersion` (the daemon's version).
    func libVersion() async throws(VirshError) -> UInt64
    /// libvirt: `virNodeGetSecurityModel`; `nil` when the driver has none
    /// (`VIR_ERR_NO_SUPPORT`).
    func securityModel() async throws(VirshError) -> (model: String, doi: String)?

    /// libvirt: `virDomainLookupByID`.
    func lookup(id: Int32) async throws(VirshError) -> any VirshDomain
    /// libvirt: `virDomainLookupByUUIDString`.
    func lookup(uuid: String) async throws(VirshError) -> any VirshDomain
    /// libvirt: `virDomainLookupByName`.
    func lookup(name: String) async throws(VirshError) -> any VirshDomain
    /// libvirt: `virConnectListAllDomains`.
    func listAllDomains(_ flags: ListAllDomainsFlags) async throws(VirshError) -> [any VirshDomain]
    /// Statistics in one call: of `doms` (a record for each that still
    /// exists), or with `nil` of every domain the list filters in `flags`
    /// select; in the server's order.
    ///
    /// libvirt: `virDomainListGetStats`, `virConnectGetAllDomainStats`.
    func domainStats(_ doms: [any VirshDomain]?, stats: DomainStatsTypes, flags: UInt32) async throws(VirshError) -> [VirshDomainStats]
    /// Starts a transient domain from its XML.
    ///
    /// libvirt: `virDomainCreateXML`.
    func createXML(_ xml: String, flags: DomainStartFlags) async throws(VirshError) -> any VirshDomain
    /// libvirt: `virDomainDefineXMLFlags` (`VIR_DOMAIN_DEFINE_VALIDATE`).
    func defineXML(_ xml: String, validate: Bool) async throws(VirshError) -> any VirshDomain

    /// Migration over two connections, the client driving the five
    /// phases (libvirt: `virDomainMigrate3`). `dconn` is a connection of
    /// the same kind.
    func migrate(_ dom: any VirshDomain, to dconn: any VirshConnection, params: [TypedParameter],
                 flags: MigrateFlags) async throws(VirshError) -> any VirshDomain
    /// Peer-to-peer migration: the source driver reaches `dconnuri` itself
    /// (libvirt: `virDomainMigrateToURI3`).
    func migrateToURI(_ dom: any VirshDomain, dconnuri: String, params: [TypedParameter],
                      flags: MigrateFlags) async throws(VirshError)

    /// Registers `handler` for the events of one id (`VIR_DOMAIN_EVENT_ID_*`),
    /// of `domain` or of every domain. Returns the callback's id. The
    /// handler runs on a thread of the connection's.
    ///
    /// libvirt: `virConnectDomainEventRegisterAny`.
    func registerDomainEvent(_ eventID: Int32, domain: (any VirshDomain)?,
                             _ handler: @escaping @Sendable (VirshDomainEvent) -> Void) async throws(VirshError) -> Int32
    /// libvirt: `virConnectDomainEventDeregisterAny`.
    func deregisterDomainEvent(_ callbackID: Int32) async throws(VirshError)

    /// Closes the connection (libvirt: `virConnectClose`): the driver runs
    /// the connection's close callbacks (`start --autodestroy` domains go).
    func close() async
}

/// Opens connections: the embedded driver for `qemu:///embed?root=DIR`,
/// libvirt's client library for everything else.
enum Backends {
    /// Whether `uri` names this project's embedded driver.
    static func isEmbedded(_ uri: String) -> Bool {
        uri.hasPrefix("qemu:///embed")
    }

    static func open(_ uri: String, readonly: Bool) async throws(VirshError) -> any VirshConnection {
        if isEmbedded(uri) {
            if readonly {
                throw VirshError.unsupported("read-only connections (-r) are not supported by the embedded driver")
            }
            return try await EmbeddedConnection.open(uri)
        }
        return try await LibvirtConnection.open(uri, readonly: readonly)
    }
}

/// One vCPU (`virVcpuInfo` and its CPU map).
struct VirshVcpuInfo: Sendable {
    let number: UInt32
    let state: Int32
    /// Nanoseconds.
    let cpuTime: UInt64
    let cpu: Int32
    let affinity: [Bool]
}

/// One domain's statistics record (`virDomainStatsRecord`).
struct VirshDomainStats: Sendable {
    let name: String
    let uuid: String
    let params: [TypedParameter]
}

/// The host's processors and memory (`virNodeInfo`).
struct VirshNodeInfo: Sendable {
    let model: String
    /// KiB.
    let memory: UInt64
    let cpus: UInt32, mhz: UInt32, nodes: UInt32, sockets: UInt32, cores: UInt32, threads: UInt32
}

/// One mounted filesystem of a guest (libvirt: `virDomainFSInfo`).
struct VirshFSInfo: Sendable, Equatable {
    let mountpoint: String
    let name: String
    let fstype: String
    let devAliases: [String]
}

/// One interface of a guest with its addresses (libvirt: `virDomainInterface`).
struct VirshInterfaceAddresses: Sendable {
    let name: String
    let hwaddr: String?
    /// `virIPAddrType` (0: IPv4, 1: IPv6), address, prefix.
    let addrs: [(type: Int32, addr: String, prefix: UInt32)]
}
