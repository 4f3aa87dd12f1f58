import Glibc
import domain_conf
import libvirt_abi
import qemu_driver

/// The embedded QEMU driver (`qemu:///embed?root=DIR`), running inside
/// this virsh process. The VMs outlive the process; the next command's
/// driver reconnects to them from their status files.
final class EmbeddedConnection: VirshConnection {
    let conn: QemuConnection

    private init(_ conn: QemuConnection) {
        self.conn = conn
    }

    static func open(_ uri: String) async throws(VirshError) -> EmbeddedConnection {
        do {
            return EmbeddedConnection(try await QemuDriver.connect(uri: uri))
        } catch {
            throw VirshError(error)
        }
    }

    private func domain(_ ref: DomainRef) -> EmbeddedDomain { EmbeddedDomain(conn: conn, ref: ref) }

    func uri() async throws(VirshError) -> String { conn.uri }
    func hostname() async throws(VirshError) -> String { conn.hostname }
    func sysinfo() async throws(VirshError) -> String {
        do { return try conn.sysinfo() } catch { throw VirshError(error) }
    }
    func freeMemory() async throws(VirshError) -> UInt64 { conn.freeMemory() }
    func cellsFreeMemory(start: Int32, maxCells: Int32) async throws(VirshError) -> [UInt64] {
        // libvirt's public API checks its arguments before any driver.
        guard start >= 0 else {
            throw VirshError(code: .invalidArg, message: "startCell in virNodeGetCellsFreeMemory must be zero or greater")
        }
        guard maxCells > 0 else {
            throw VirshError(code: .invalidArg, message: "maxCells in virNodeGetCellsFreeMemory must be greater than zero")
        }
        do { return try conn.cellsFreeMemory(start: Int(start), maxCells: Int(maxCells)) } catch { throw VirshError(error) }
    }
    func numaCellIDs() async throws(VirshError) -> [UInt64] { NodeFreeMemory.cells().map { UInt64($0) } }
    func capabilities() async throws(VirshError) -> String {
        do { return try conn.capabilities() } catch { throw VirshError(error) }
    }
    func domainCapabilities(emulatorBin: String?, arch: String?, machine: String?, virtType: String?) async throws(VirshError) -> String {
        do {
            return try conn.domainCapabilities(emulatorBin: emulatorBin, arch: arch, machine: machine, virtType: virtType)
        } catch { throw VirshError(error) }
    }
    func maxVcpus(type: String?) async throws(VirshError) -> Int32 {
        do { return try conn.maxVcpus(type: type) } catch { throw VirshError(error) }
    }

    func restore(from path: String, xml: String?, flags: UInt32) async throws(VirshError) {
        do { try await conn.restore(from: path, xml: xml, flags: DomainSaveFlags(rawValue: flags)) } catch { throw VirshError(error) }
    }

    /// The host's CPUs, present or not (libvirt: `virHostCPUGetMap`).
    func nodeCPUCount() async throws(VirshError) -> Int { max(Int(sysconf(Int32(_SC_NPROCESSORS_CONF))), 1) }

    func nodeInfo() async throws(VirshError) -> VirshNodeInfo {
        do {
            let n = try conn.nodeInfo()
            return VirshNodeInfo(model: n.model, memory: n.memory, cpus: n.cpus, mhz: n.mhz, nodes: n.nodes, sockets: n.sockets,
                                 cores: n.cores, threads: n.threads)
        } catch {
            throw VirshError(error)
        }
    }
    func domainXMLToNative(format: String, xml: String) async throws(VirshError) -> String {
        do { return try conn.domainXMLToNative(format: format, xml: xml) } catch { throw VirshError(error) }
    }
    func type() async throws(VirshError) -> String { "QEMU" }
    func hypervisorVersion() async throws(VirshError) -> UInt64 { conn.hypervisorVersion() }
    func libVersion() async throws(VirshError) -> UInt64 { QemuConnection.libVersion }

    /// The embedded driver runs without a security driver, which libvirt
    /// reports as model "none", DOI "0".
    func securityModel() async throws(VirshError) -> (model: String, doi: String)? { ("none", "0") }

    func lookup(id: Int32) async throws(VirshError) -> any VirshDomain {
        do { return domain(try conn.lookup(id: Int(id))) } catch { throw VirshError(error) }
    }

    func lookup(uuid: String) async throws(VirshError) -> any VirshDomain {
        guard let u = DomainUUID(uuid) else {
            throw VirshError(code: .invalidArg, message: ErrorNumber.invalidArg.format("uuidstr in virDomainLookupByUUIDString must be a valid UUID"))
        }
        do { return domain(try conn.lookup(uuid: u)) } catch { throw VirshError(error) }
    }

    func lookup(name: String) async throws(VirshError) -> any VirshDomain {
        do { return domain(try conn.lookup(name: name)) } catch { throw VirshError(error) }
    }

    func listAllDomains(_ flags: ListAllDomainsFlags) async throws(VirshError) -> [any VirshDomain] {
        conn.listAllDomains(flags).map { domain($0) }
    }

    func domainStats(_ doms: [any VirshDomain]?, stats: DomainStatsTypes, flags: UInt32) async throws(VirshError) -> [VirshDomainStats] {
        let refs = doms.map { $0.compactMap { ($0 as? EmbeddedDomain)?.ref } }
        do {
            return try await conn.allDomainStats(refs, stats: stats, flags: flags)
                .map { VirshDomainStats(name: $0.dom.name, uuid: $0.dom.uuid.description, params: $0.params) }
        } catch {
            throw VirshError(error)
        }
    }

    func createXML(_ xml: String, flags: DomainStartFlags) async throws(VirshError) -> any VirshDomain {
        let known: DomainStartFlags = [.paused, .autodestroy, .forceBoot, .bypassCache, .validate, .resetNVRAM]
        guard flags.subtracting(known).isEmpty else {
            throw VirshError(VirError.unsupportedFlags(flags.subtracting(known).rawValue, in: "qemuDomainCreateXML"))
        }
        do {
            return domain(try await conn.createXML(xml, paused: flags.contains(.paused), validate: flags.contains(.validate),
                                                   autodestroy: flags.contains(.autodestroy), resetNVRAM: flags.contains(.resetNVRAM)))
        } catch {
            throw VirshError(error)
        }
    }

    func defineXML(_ xml: String, validate: Bool) async throws(VirshError) -> any VirshDomain {
        do { return domain(try conn.defineXML(xml, validate: validate)) } catch { throw VirshError(error) }
    }

    func migrate(_ dom: any VirshDomain, to dconn: any VirshConnection, params: [TypedParameter],
                 flags: MigrateFlags) async throws(VirshError) -> any VirshDomain {
        guard let d = dom as? EmbeddedDomain, let dest = dconn as? EmbeddedConnection else {
            throw VirshError.unsupported("migration between the embedded driver and a libvirt daemon is not supported; use the same kind of URI on both sides")
        }
        do {
            return domain(try await conn.migrate3(d.ref, to: dest.conn, params: params, flags: flags))
        } catch {
            throw VirshError(error)
        }
    }

    func migrateToURI(_ dom: any VirshDomain, dconnuri: String, params: [TypedParameter],
                      flags: MigrateFlags) async throws(VirshError) {
        guard let d = dom as? EmbeddedDomain else {
            throw VirshError.unsupported("the domain does not belong to the embedded driver")
        }
        // The client library refuses a peer-to-peer migration to this
        // same host before it reaches the driver (virDomainMigrateCheckNotLocal);
        // the series lets VIR_MIGRATE_LOCAL through.
        if flags.contains(.peer2peer) && !flags.contains(.local) {
            try MigrateURICheck.checkNotLocal(dconnuri)
        }
        do {
            try await conn.migrateToURI3(d.ref, dconnuri: dconnuri, params: params, flags: flags)
        } catch {
            throw VirshError(error)
        }
    }

    func registerDomainEvent(_ eventID: Int32, domain: (any VirshDomain)?,
                             _ handler: @escaping @Sendable (VirshDomainEvent) -> Void) async throws(VirshError) -> Int32 {
        guard let id = DomainEventID(rawValue: eventID) else {
            throw VirshError(code: .invalidArg, message: "eventID in virConnectDomainEventRegisterAny must be less than \(DomainEventID.memoryDeviceSizeChange.rawValue + 1)")
        }
        let filter = (domain as? EmbeddedDomain)?.ref.uuid
        let callbackID = conn.registerEvents(id) { ev in
            if let filter, ev.uuid != filter { return }
            let kind: VirshDomainEvent.Kind
            switch ev.kind {
            case .lifecycle(let e): kind = .lifecycle(event: e.type, detail: e.detail)
            case .migrationIteration(let n): kind = .migrationIteration(n)
            case .jobCompleted(let params): kind = .jobCompleted(params)
            case .deviceAdded(let alias): kind = .deviceAdded(alias: alias)
            case .deviceRemoved(let alias): kind = .deviceRemoved(alias: alias)
            case .metadataChange(let type, let nsuri): kind = .metadataChange(type: type, nsuri: nsuri)
            }
            handler(VirshDomainEvent(eventID: eventID, domainName: ev.name, kind: kind))
        }
        return Int32(clamping: callbackID)
    }

    func deregisterDomainEvent(_ callbackID: Int32) async throws(VirshError) {
        conn.deregisterEvents(Int(callbackID))
    }

    func close() async {
        await conn.close()
    }

    /// Lets go of the driver's root (its lock and monitor sockets): libvirt
    /// shuts an embedded driver down when its last connection closes.
    func closeDriver() {
        conn.driver.close()
    }
}

/// A domain of the embedded driver.
struct EmbeddedDomain: VirshDomain {
    let conn: QemuConnection
    let ref: DomainRef

    var name: String { ref.name }
    var uuid: String { ref.uuid.description }
    var id: Int? { ref.id }

    private func run<R>(_ body: () throws(VirError) -> R) throws(VirshError) -> R {
        do { return try body() } catch { throw VirshError(error) }
    }

    func osType() async throws(VirshError) -> String {
        try run { () throws(VirError) in try conn.osType(ref) }
    }

    func info() async throws(VirshError) -> VirshDomainInfo {
        let i = try run { () throws(VirError) in try conn.info(ref) }
        return VirshDomainInfo(state: i.state.rawValue, maxMemory: i.maxMemory, memory: i.memory, vcpus: i.vcpus,
                               cpuTime: i.cpuTime)
    }

    func state() async throws(VirshError) -> (state: Int32, reason: Int32) {
        let s = try run { () throws(VirError) in try conn.state(ref) }
        return (s.state.rawValue, s.rawReason)
    }

    func memoryStats() async throws(VirshError) -> [(tag: Int32, value: UInt64)] {
        do { return try await conn.memoryStats(ref, maxStats: 13) } catch { throw VirshError(error) }
    }

    func setMemoryStatsPeriod(_ seconds: Int32, flags: UInt32) async throws(VirshError) {
        throw VirshError(code: .noSupport, message: ErrorNumber.noSupport.format("virDomainSetMemoryStatsPeriod"))
    }

    func controlInfo() async throws(VirshError) -> (state: Int32, details: Int32, stateTime: UInt64) {
        let i = try run { () throws(VirError) in try conn.controlInfo(ref) }
        return (i.state.rawValue, i.details, i.stateTime)
    }

    func isActive() async throws(VirshError) -> Bool { try run { () throws(VirError) in try conn.isActive(ref) } }
    func isPersistent() async throws(VirshError) -> Bool { try run { () throws(VirError) in try conn.isPersistent(ref) } }
    func autostart() async throws(VirshError) -> Bool { try run { () throws(VirError) in try conn.autostart(ref) } }

    /// The embedded driver has no managed save.
    func hasManagedSaveImage() async throws(VirshError) -> Bool {
        try run { () throws(VirError) in try conn.hasManagedSaveImage(ref) }
    }

    func securityLabel() async throws(VirshError) -> (label: String, enforcing: Bool) { ("", false) }
    func messages() async throws(VirshError) -> [String] { try run { () throws(VirError) in try conn.messages(ref) } }

    func xmlDesc(_ flags: DomainXMLFlags) async throws(VirshError) -> String {
        var f: DomainDef.FormatFlags = []
        if flags.contains(.inactive) { f.insert(.inactive) }
        if flags.contains(.migratable) { f.insert(.migratable) }
        if flags.contains(.secure) { f.insert(.secure) }
        return try run { () throws(VirError) in try conn.xmlDesc(ref, flags: f) }
    }

    func create(_ flags: DomainStartFlags) async throws(VirshError) {
        // Without managed save, force-boot and bypass-cache change nothing
        // (as in libvirt's QEMU driver).
        let known: DomainStartFlags = [.paused, .autodestroy, .forceBoot, .bypassCache, .resetNVRAM]
        guard flags.subtracting(known).isEmpty else {
            throw VirshError(VirError.unsupportedFlags(flags.subtracting(known).rawValue, in: "qemuDomainCreateWithFlags"))
        }
        do {
            try await conn.create(ref, paused: flags.contains(.paused), autodestroy: flags.contains(.autodestroy),
                                  resetNVRAM: flags.contains(.resetNVRAM), forceBoot: flags.contains(.forceBoot))
        } catch {
            throw VirshError(error)
        }
    }

    /// SIGTERM, then SIGKILL if QEMU lingers: libvirt's plain destroy; with
    /// `graceful` libvirt would not send SIGKILL, which the driver does
    /// only when QEMU ignores SIGTERM.
    func destroy(graceful: Bool) async throws(VirshError) {
        do { try await conn.destroy(ref, graceful: true) } catch { throw VirshError(error) }
    }

    func shutdown(flags: UInt32) async throws(VirshError) {
        do { try await conn.shutdown(ref, flags: flags) } catch { throw VirshError(error) }
    }

    /// A reboot by ACPI is finished when the guest has powered off; this
    /// process, which ends with the command, waits a while for that (the
    /// next driver to connect to the guest finishes a later one).
    func reboot(flags: UInt32) async throws(VirshError) {
        do {
            try await conn.reboot(ref, flags: flags)
            _ = try await conn.waitForReboot(ref, timeout: Self.rebootWait)
        } catch {
            throw VirshError(error)
        }
    }

    /// How long `reboot` waits for the guest to power off.
    static let rebootWait: Duration = .seconds(30)

    func vcpus(maxInfo: Int, hostCPUs: Int) async throws(VirshError) -> [VirshVcpuInfo] {
        do {
            return try await conn.vcpus(ref).prefix(maxInfo).map { v in
                VirshVcpuInfo(number: v.number, state: v.state, cpuTime: v.cpuTime, cpu: v.cpu,
                              affinity: (0..<hostCPUs).map { i in i < v.affinity.count && v.affinity[i] })
            }
        } catch {
            throw VirshError(error)
        }
    }

    func vcpuPinInfo(count: Int, hostCPUs: Int, flags: UInt32) async throws(VirshError) -> [[Bool]] {
        let maps = try run { () throws(VirError) in
            let active = try conn.isActive(ref)
            return try conn.vcpuPinInfo(ref, config: flags & 2 != 0 || (flags & 1 == 0 && !active))
        }
        return maps.prefix(count).map { m in (0..<hostCPUs).map { $0 < m.count && m[$0] } }
    }

    func save(to path: String, xml: String?, flags: UInt32) async throws(VirshError) {
        do { try await conn.save(ref, to: path, xml: xml, flags: DomainSaveFlags(rawValue: flags)) } catch { throw VirshError(error) }
    }

    func managedSave(flags: UInt32) async throws(VirshError) {
        do { try await conn.managedSave(ref, flags: DomainSaveFlags(rawValue: flags)) } catch { throw VirshError(error) }
    }

    func managedSaveRemove() async throws(VirshError) {
        try run { () throws(VirError) in try conn.managedSaveRemove(ref) }
    }

    func metadata(type: Int32, uri: String?, flags: UInt32) async throws(VirshError) -> String {
        try run { () throws(VirError) in try conn.metadata(ref, type: type, uri: uri, flags: DomainDeviceModifyFlags(rawValue: flags)) }
    }

    func setMetadata(type: Int32, metadata: String?, key: String?, uri: String?, flags: UInt32) async throws(VirshError) {
        // libvirt's public API checks this before any driver.
        if type == DomainMetadataType.title.rawValue, metadata?.contains("\n") == true {
            throw VirshError(code: .invalidArg, message: "metadata title can't contain newlines")
        }
        do {
            try await conn.setMetadata(ref, type: type, metadata: metadata, key: key, uri: uri, flags: DomainDeviceModifyFlags(rawValue: flags))
        } catch {
            throw VirshError(error)
        }
    }

    func blockStats(_ path: String) async throws(VirshError) -> [TypedParameter] {
        do { return try await conn.blockStats(ref, path: path) } catch { throw VirshError(error) }
    }

    func interfaceStats(_ device: String) async throws(VirshError) -> [Int64] {
        try run { () throws(VirError) in try conn.interfaceStats(ref, device: device) }
    }

    func guestTime() async throws(VirshError) -> (seconds: Int64, nseconds: UInt32) {
        do { return try await conn.guestTime(ref) } catch { throw VirshError(error) }
    }

    func setGuestTime(seconds: Int64, nseconds: UInt32, flags: UInt32) async throws(VirshError) {
        do { try await conn.setGuestTime(ref, seconds: seconds, nseconds: nseconds, flags: flags) } catch { throw VirshError(error) }
    }

    func guestInfo(types: UInt32) async throws(VirshError) -> [TypedParameter] {
        do { return try await conn.guestInfo(ref, types: types) } catch { throw VirshError(error) }
    }

    func interfaceAddresses(source: UInt32) async throws(VirshError) -> [VirshInterfaceAddresses] {
        do {
            return try await conn.interfaceAddresses(ref, source: source).map { i in
                VirshInterfaceAddresses(name: i.name, hwaddr: i.hwaddr, addrs: i.addrs.map { ($0.type.rawValue, $0.addr, $0.prefix) })
            }
        } catch { throw VirshError(error) }
    }

    func guestHostname(flags: UInt32) async throws(VirshError) -> String {
        do { return try await conn.guestHostname(ref, flags: flags) } catch { throw VirshError(error) }
    }

    func fsInfo() async throws(VirshError) -> [VirshFSInfo] {
        do {
            return try await conn.fsInfo(ref).map {
                VirshFSInfo(mountpoint: $0.mountpoint, name: $0.name, fstype: $0.fstype, devAliases: $0.devAliases)
            }
        } catch { throw VirshError(error) }
    }

    /// The driver has the flags form; virsh never falls back to this one.
    func blockStatsLegacy(_ path: String) async throws(VirshError) -> [Int64] {
        throw VirshError(code: .noSupport, message: ErrorNumber.noSupport.format("virDomainBlockStats"))
    }

    func openConsole(_ devName: String?, flags: UInt32) async throws(VirshError) -> any VirshConsoleStream {
        let path = try run { () throws(VirError) in try conn.consolePTY(ref, devName: devName) }
        return try PtyConsoleStream(path: path)
    }

    /// `nil` flags: `virDomainAttachDevice`, which is the flags call
    /// with `VIR_DOMAIN_AFFECT_LIVE`.
    func attachDevice(_ xml: String, flags: UInt32?) async throws(VirshError) {
        do {
            try await conn.attachDevice(ref, xml: xml, flags: flags.map(DomainDeviceModifyFlags.init(rawValue:)) ?? .live)
        } catch {
            throw VirshError(error)
        }
    }

    func updateDevice(_ xml: String, flags: UInt32) async throws(VirshError) {
        do { try await conn.updateDevice(ref, xml: xml, flags: flags) } catch { throw VirshError(error) }
    }

    func detachDevice(_ xml: String, flags: UInt32?) async throws(VirshError) {
        do {
            try await conn.detachDevice(ref, xml: xml, flags: flags.map(DomainDeviceModifyFlags.init(rawValue:)) ?? .live)
        } catch {
            throw VirshError(error)
        }
    }

    func setMemory(kibibytes: UInt64, flags: UInt32) async throws(VirshError) {
        do {
            try await conn.setMemory(ref, kibibytes: kibibytes, flags: DomainMemoryModFlags(rawValue: flags))
        } catch {
            throw VirshError(error)
        }
    }

    func setVcpus(_ count: UInt32, flags: UInt32?) async throws(VirshError) {
        do {
            try await conn.setVcpus(ref, count: count, flags: DomainVcpuFlags(rawValue: flags ?? DomainVcpuFlags.live.rawValue))
        } catch {
            throw VirshError(error)
        }
    }

    func vcpuCount(flags: UInt32) async throws(VirshError) -> Int32 {
        do {
            return try await conn.vcpuCount(ref, flags: DomainVcpuFlags(rawValue: flags))
        } catch {
            throw VirshError(error)
        }
    }

    func setAutostart(_ on: Bool) async throws(VirshError) {
        try run { () throws(VirError) in try conn.setAutostart(ref, on) }
    }

    func reset() async throws(VirshError) {
        do { try await conn.reset(ref) } catch { throw VirshError(error) }
    }

    func screenshot(screen: UInt32) async throws(VirshError) -> (mime: String, data: [UInt8]) {
        do { return try await conn.screenshot(ref, screen: screen) } catch { throw VirshError(error) }
    }

    func sendKey(codeset: UInt32, holdtime: UInt32, keycodes: [UInt32]) async throws(VirshError) {
        do { try await conn.sendKey(ref, codeset: codeset, holdtime: holdtime, keycodes: keycodes) } catch { throw VirshError(error) }
    }

    func suspend() async throws(VirshError) {
        do { try await conn.suspend(ref) } catch { throw VirshError(error) }
    }

    func migrateSetMaxDowntime(_ milliseconds: UInt64) async throws(VirshError) {
        do { try await conn.migrateSetMaxDowntime(ref, milliseconds: milliseconds) } catch { throw VirshError(error) }
    }

    func migrateGetMaxDowntime() async throws(VirshError) -> UInt64 {
        do { return try await conn.migrateGetMaxDowntime(ref) } catch { throw VirshError(error) }
    }

    func migrateSetMaxSpeed(_ bandwidth: UInt64, postcopy: Bool) async throws(VirshError) {
        do {
            try await conn.migrateSetMaxSpeed(ref, bandwidth: bandwidth, flags: postcopy ? QemuConnection.maxSpeedPostcopy : 0)
        } catch { throw VirshError(error) }
    }

    func migrateGetMaxSpeed(postcopy: Bool) async throws(VirshError) -> UInt64 {
        do { return try await conn.migrateGetMaxSpeed(ref, flags: postcopy ? QemuConnection.maxSpeedPostcopy : 0) } catch { throw VirshError(error) }
    }

    func resume() async throws(VirshError) {
        do { try await conn.resume(ref) } catch { throw VirshError(error) }
    }

    func undefine(_ flags: DomainUndefineFlags) async throws(VirshError) {
        do { try await conn.undefine(ref, flags: flags) } catch { throw VirshError(error) }
    }

    func jobStats(completed: Bool) async throws(VirshError) -> (type: Int32, params: [TypedParameter]) {
        do {
            let r = try await conn.jobStats(ref, completed: completed)
            return (r.type.rawValue, r.params)
        } catch {
            throw VirshError(error)
        }
    }

    func jobProgress() async throws(VirshError) -> VirshJobProgress {
        let (type, params) = try await jobStats(completed: false)
        return VirshJobProgress(type: DomainJobType(rawValue: type) ?? .none,
                                dataTotal: params.unsigned("data_total") ?? 0,
                                dataRemaining: params.unsigned("data_remaining") ?? 0)
    }

    func abortJob() async throws(VirshError) {
        do { try await conn.abortJob(ref) } catch { throw VirshError(error) }
    }

    /// The descriptors are this process's own: the driver runs here.
    func upgradeCandidate() async throws(VirshError) -> QemuUpgradeCandidate {
        do { return try await conn.upgradeCandidate(ref) } catch { throw VirshError(error) }
    }

    func qemuMonitorCommand(_ cmd: String, hmp: Bool, fds: [Int32]?) async throws(VirshError) -> String {
        do { return try await conn.qemuMonitorCommand(ref, command: cmd, hmp: hmp, fds: fds ?? []) } catch { throw VirshError(error) }
    }
}

/// The client library's same-host check for peer-to-peer migration.
///
/// libvirt: `virDomainMigrateCheckNotLocal` (src/libvirt-domain.c).
enum MigrateURICheck {
    static func checkNotLocal(_ dconnuri: String) throws(VirshError) {
        let host = Self.server(of: dconnuri)
        let isUnixSocket = Self.isUnixSocket(dconnuri)
        if let host, host.hasPrefix("localhost") {
            throw Self.sameHost()
        }
        if host == nil && !isUnixSocket {
            throw Self.sameHost()
        }
    }

    private static func sameHost() -> VirshError {
        VirshError(code: .invalidArg, message: "Attempt to migrate guest to the same host")
    }

    /// libvirt: `virURICheckUnixSocket`: a `...+unix` scheme with a
    /// `socket` parameter.
    static func isUnixSocket(_ uri: String) -> Bool {
        guard let r = uri.range(of: "://") else { return false }
        let scheme = uri[..<r.lowerBound]
        guard let plus = scheme.firstIndex(of: "+"), scheme[plus...] == "+unix" else { return false }
        guard let q = uri.firstIndex(of: "?") else { return false }
        return uri[uri.index(after: q)...].split(separator: "&").contains { $0.split(separator: "=", maxSplits: 1).first == "socket" }
    }

    /// The server part of a URI (`scheme://[user@]server[:port]/...`), `nil`
    /// when empty.
    static func server(of uri: String) -> String? {
        guard let r = uri.range(of: "://") else { return nil }
        var rest = uri[r.upperBound...]
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) { rest = rest[..<slash] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("[") {
            if let close = rest.firstIndex(of: "]") { rest = rest[rest.index(after: rest.startIndex)..<close] }
        } else if let colon = rest.firstIndex(of: ":") {
            rest = rest[..<colon]
        }
        return rest.isEmpty ? nil : String(rest)
    }
}
