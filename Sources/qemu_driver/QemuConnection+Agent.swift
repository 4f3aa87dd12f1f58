import Foundation
import domain_conf
import libvirt_abi
import qemu_agent
import qemu_domain
import qemu_monitor
import qemu_process
import virdomainobjlist
import virutil

/// What the guest agent answers: the guest's clock, its filesystems, what
/// it says about itself.
extension QemuConnection {
    /// The name of the agent's virtio channel.
    static let agentChannelName = "org.qemu.guest_agent.0"

    /// Runs `body` with the domain's agent under the agent job, once the
    /// agent is known to be there.
    ///
    /// libvirt: `virDomainObjBeginAgentJob`, `qemuDomainAgentAvailable`,
    /// `qemuDomainObjEnterAgent`.
    func withAgent<R>(_ obj: DomainObj, api: String,
                      _ body: (QemuAgent) async throws(VirError) -> R) async throws(VirError) -> R {
        try await obj.qemu.jobs.beginAgent(api: api, domainName: obj.name)
        defer { obj.qemu.jobs.endAgent() }
        guard obj.isActive, let instance = obj.qemu.instance else { throw VirError.notRunning }
        return try await body(try await agent(obj, instance))
    }

    /// The domain's agent, or libvirt's reason why there is none: the
    /// guest does not run, no agent channel is configured, or the guest
    /// has not opened its end (no agent runs in it). The guest's end is
    /// asked of QEMU (`query-chardev`'s `frontend-open`), as libvirt reads
    /// it when it reconnects; libvirt follows it with `VSERPORT_CHANGE`.
    ///
    /// libvirt: `qemuDomainAgentAvailable`, `qemuFindAgentConfig`,
    /// `qemuProcessRefreshChannelVirtioState`.
    func agent(_ obj: DomainObj, _ instance: QemuInstance) async throws(VirError) -> QemuAgent {
        guard obj.state.state == .running else { throw VirError(.operationInvalid, "domain is not running") }
        let def = obj.def
        guard let index = def.channels.firstIndex(where: { $0.targetType == "virtio" && $0.targetName == Self.agentChannelName }) else {
            throw VirError(.argumentUnsupported, "QEMU guest agent is not configured")
        }
        let channel = def.channels[index]
        let notConnected = VirError(.agentUnresponsive, "QEMU guest agent is not connected")
        guard channel.type == .unix, channel.sourceMode == "bind", let path = channel.sourcePath else { throw notConnected }
        let chardevs: JSONValue
        do throws(QemuMonitorError) { chardevs = try await instance.monitor().execute("query-chardev") } catch {
            throw VirError(error)
        }
        let open = chardevs.arrayValue?.first { $0["label"]?.stringValue == "charchannel\(index)" }?["frontend-open"]?.boolValue
        guard open == true else { throw notConnected }
        return QemuAgent(path: path)
    }

    /// The guest's host name, from its agent (the default) or, with
    /// `VIR_DOMAIN_GET_HOSTNAME_LEASE`, from the DHCP leases of libvirt's
    /// networks, which this driver has none of.
    ///
    /// libvirt: `qemuDomainGetHostname`, `qemuDomainGetHostnameAgent`
    /// (`guest-get-host-name`), `qemuDomainGetHostnameLease`.
    public func guestHostname(_ dom: DomainRef, flags: UInt32 = 0) async throws(VirError) -> String {
        let lease: UInt32 = 1 << 0, agentFlag: UInt32 = 1 << 1
        try Self.checkFlags(flags, allowed: lease | agentFlag, "qemuDomainGetHostname")
        if flags & lease != 0 && flags & agentFlag != 0 {
            throw VirError.exclusiveFlags("VIR_DOMAIN_GET_HOSTNAME_LEASE", "VIR_DOMAIN_GET_HOSTNAME_AGENT")
        }
        let obj = try obj(dom)
        var hostname: String?
        if flags & lease == 0 {
            hostname = try await withAgent(obj, api: "qemuDomainGetHostname") { agent throws(VirError) -> String? in
                guard let name = try await agent.execute("guest-get-host-name")["host-name"]?.stringValue else {
                    throw VirError(.internalError, "'host-name' missing in guest-get-host-name reply")
                }
                return name
            }
        } else {
            guard obj.isActive else { throw VirError.notRunning }
            try Self.checkNoLeases(obj.def)
        }
        guard let hostname else { throw VirError(.noHostname, "no hostname found for domain \(obj.name)") }
        return hostname
    }

    /// The guest's clock: seconds and nanoseconds since the epoch.
    ///
    /// libvirt: `qemuDomainGetTime` → `qemuAgentGetTime` (`guest-get-time`).
    public func guestTime(_ dom: DomainRef, flags: UInt32 = 0) async throws(VirError) -> (seconds: Int64, nseconds: UInt32) {
        try Self.checkFlags(flags, allowed: 0, "qemuDomainGetTime")
        let obj = try obj(dom)
        return try await withAgent(obj, api: "qemuDomainGetTime") { agent throws(VirError) -> (seconds: Int64, nseconds: UInt32) in
            guard let ns = try await agent.execute("guest-get-time").uint64Value else {
                throw VirError(.internalError, "malformed return value")
            }
            return (Int64(ns / 1_000_000_000), UInt32(ns % 1_000_000_000))
        }
    }

    /// Sets the guest's clock to `seconds`.`nseconds`, or with `sync`
    /// (`VIR_DOMAIN_TIME_SYNC`) from its RTC; then, on x86, resets the
    /// RTC's interrupt reinjection as libvirt does.
    ///
    /// libvirt: `qemuDomainSetTime` → `qemuAgentSetTime` (`guest-set-time`),
    /// `qemuMonitorRTCResetReinjection` (`rtc-reset-reinjection`).
    public func setGuestTime(_ dom: DomainRef, seconds: Int64, nseconds: UInt32, flags: UInt32) async throws(VirError) {
        let sync: UInt32 = 1 << 0
        try Self.checkFlags(flags, allowed: sync, "qemuDomainSetTime")
        let obj = try obj(dom)
        try await withAgent(obj, api: "qemuDomainSetTime") { agent throws(VirError) in
            if flags & sync != 0 {
                _ = try await agent.execute("guest-set-time")
            } else {
                // The agent takes a signed count of nanoseconds.
                guard seconds <= Int64.max / 1_000_000_000 else {
                    throw VirError(.invalidArg, "Time '\(seconds)' is too big for guest agent")
                }
                _ = try await agent.execute("guest-set-time", ["time": .int(seconds * 1_000_000_000 + Int64(nseconds))])
            }
        }
        // An x86 guest (the host's architecture when the XML names none).
        guard ["x86_64", "i686"].contains(obj.def.os.arch ?? "x86_64") else { return }
        try await withJob(obj, .modify, api: "qemuDomainSetTime") { () throws(VirError) in
            guard obj.isActive, let instance = obj.qemu.instance else { throw VirError.notRunning }
            do throws(QemuMonitorError) { _ = try await instance.monitor().execute("rtc-reset-reinjection") } catch {
                throw VirError(error)
            }
        }
    }
}

/// One mounted filesystem of a guest, as `virDomainGetFSInfo` reports it.
public struct DomainFSInfo: Sendable, Equatable {
    public let mountpoint: String
    /// The guest's device name (`vdb`, `sda1`, `dm-0`).
    public let name: String
    public let fstype: String
    /// The targets (`<target dev=...>`) of the domain's disks it lives on.
    public let devAliases: [String]
}

/// A filesystem as the agent describes it (`guest-get-fsinfo`).
///
/// libvirt: `qemuAgentFSInfo`, `qemuAgentDiskAddress` (src/qemu/qemu_agent.h).
struct AgentFSInfo: Sendable {
    struct Disk: Sendable {
        var busType: String?
        var serial: String?
        var dev: String?
        var bus: UInt32
        var target: UInt32
        var unit: UInt32
        var pciController: PCIDeviceAddress

        /// libvirt: `qemuAgentGetDiskAddress`.
        static func parse(_ d: JSONValue) throws(VirError) -> Disk {
            func number(_ v: JSONValue?, _ name: String) throws(VirError) -> UInt32 {
                guard let n = v?.uint64Value, let u = UInt32(exactly: n) else { throw VirError(.internalError, "'\(name)' missing") }
                return u
            }
            let bus = try number(d["bus"], "bus"), target = try number(d["target"], "target"), unit = try number(d["unit"], "unit")
            guard let pci = d["pci-controller"] else { throw VirError(.internalError, "'pci-controller' missing") }
            let address = PCIDeviceAddress(domain: try number(pci["domain"], "domain"), bus: try number(pci["bus"], "bus"),
                                           slot: try number(pci["slot"], "slot"), function: try number(pci["function"], "function"))
            return Disk(busType: d["bus-type"]?.stringValue, serial: d["serial"]?.stringValue, dev: d["dev"]?.stringValue,
                        bus: bus, target: target, unit: unit, pciController: address)
        }
    }
    var mountpoint: String
    var name: String
    var fstype: String
    var usedBytes: Int64?
    var totalBytes: Int64?
    var disks: [Disk]

    /// libvirt: `qemuAgentGetFSInfo`, `qemuAgentGetDiskAddress` (the
    /// filesystems in the reverse of the agent's order, as libvirt keeps
    /// them).
    static func parse(_ reply: JSONValue) throws(VirError) -> [AgentFSInfo] {
        guard let entries = reply.arrayValue else { throw VirError(.internalError, "Malformed guest-get-fsinfo data array") }
        var out: [AgentFSInfo] = []
        for entry in entries.reversed() {
            guard let mountpoint = entry["mountpoint"]?.stringValue else {
                throw VirError(.internalError, "'mountpoint' missing in reply of guest-get-fsinfo")
            }
            guard let name = entry["name"]?.stringValue else { throw VirError(.internalError, "'name' missing in reply of guest-get-fsinfo") }
            guard let type = entry["type"]?.stringValue else { throw VirError(.internalError, "'type' missing in reply of guest-get-fsinfo") }
            guard let disks = entry["disk"] else { throw VirError(.internalError, "'disk' missing in reply of guest-get-fsinfo") }
            guard let diskArray = disks.arrayValue else { throw VirError(.internalError, "Malformed guest-get-fsinfo 'disk' data array") }
            var parsed: [Disk] = []
            for d in diskArray { parsed.append(try Disk.parse(d)) }
            out.append(AgentFSInfo(mountpoint: mountpoint, name: name, fstype: type,
                                   usedBytes: entry["used-bytes"]?.int64Value, totalBytes: entry["total-bytes"]?.int64Value,
                                   disks: parsed))
        }
        return out
    }
}

extension QemuConnection {
    /// The guest's mounted filesystems, each with the domain's disks it
    /// lives on.
    ///
    /// libvirt: `qemuDomainGetFSInfo` → `qemuAgentGetFSInfo`
    /// (`guest-get-fsinfo`), `qemuAgentFSInfoToPublic`.
    public func fsInfo(_ dom: DomainRef, flags: UInt32 = 0) async throws(VirError) -> [DomainFSInfo] {
        try Self.checkFlags(flags, allowed: 0, "qemuDomainGetFSInfo")
        let obj = try obj(dom)
        let agentInfo = try await withAgent(obj, api: "qemuDomainGetFSInfo") { agent throws(VirError) -> [AgentFSInfo] in
            try AgentFSInfo.parse(try await agent.execute("guest-get-fsinfo"))
        }
        guard obj.isActive else { throw VirError.notRunning }
        let def = obj.def
        return agentInfo.map { fs in
            DomainFSInfo(mountpoint: fs.mountpoint, name: fs.name, fstype: fs.fstype,
                         devAliases: fs.disks.compactMap { Self.disk(of: $0, in: def)?.targetDev })
        }
    }

    /// The domain's disk at the agent's address: a PCI device at that
    /// address (a virtio disk), or a drive at that bus, target and unit of
    /// the controller at that address (SCSI).
    ///
    /// libvirt: `virDomainDiskByAddress`.
    static func disk(of address: AgentFSInfo.Disk, in def: DomainDef) -> DomainDiskDef? {
        func samePCI(_ a: PCIDeviceAddress?) -> Bool {
            guard let a else { return false }
            let p = address.pciController
            return a.domain == p.domain && a.bus == p.bus && a.slot == p.slot && a.function == p.function
        }
        if let disk = def.disks.first(where: { samePCI($0.address?.pci) }) { return disk }
        guard let controller = def.controllers.first(where: { samePCI($0.address?.pci) }) else { return nil }
        return def.disks.first { disk in
            guard let drive = disk.node.child("address"), drive.attribute("type") == "drive" else { return false }
            let bus: DomainDiskBus? = controller.type == .scsi ? .scsi : controller.type == .sata ? .sata : controller.type == .ide ? .ide : nil
            return bus != nil && disk.targetBus == bus
                && drive.attribute("controller").flatMap { Int($0) } ?? 0 == controller.index ?? 0
                && drive.attribute("bus").flatMap { UInt32($0) } ?? 0 == address.bus
                && drive.attribute("target").flatMap { UInt32($0) } ?? 0 == address.target
                && drive.attribute("unit").flatMap { UInt32($0) } ?? 0 == address.unit
        }
    }
}

/// The kinds of `virDomainGetGuestInfo` (`virDomainGuestInfoTypes`).
public struct DomainGuestInfoTypes: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let users = DomainGuestInfoTypes(rawValue: 1 << 0)
    public static let os = DomainGuestInfoTypes(rawValue: 1 << 1)
    public static let timezone = DomainGuestInfoTypes(rawValue: 1 << 2)
    public static let hostname = DomainGuestInfoTypes(rawValue: 1 << 3)
    public static let filesystem = DomainGuestInfoTypes(rawValue: 1 << 4)
    public static let disks = DomainGuestInfoTypes(rawValue: 1 << 5)
    public static let interfaces = DomainGuestInfoTypes(rawValue: 1 << 6)
    /// libvirt: `qemuDomainGetGuestInfoSupportedTypes`.
    public static let supported: DomainGuestInfoTypes = [.users, .os, .timezone, .hostname, .filesystem, .disks, .interfaces]
}

extension QemuConnection {
    /// What the guest says about itself, as typed parameters in libvirt's
    /// names and order: `user.*`, `os.*`, `timezone.*`, `hostname`,
    /// `fs.*`, `disk.*`, `if.*`. With no type asked, every kind the agent
    /// has (a command it lacks is left out); with types, each must answer.
    ///
    /// libvirt: `qemuDomainGetGuestInfo` (`guest-get-users`,
    /// `guest-get-osinfo`, `guest-get-timezone`, `guest-get-host-name`,
    /// `guest-get-fsinfo`, `guest-get-disks`, `guest-network-get-interfaces`).
    public func guestInfo(_ dom: DomainRef, types: UInt32, flags: UInt32 = 0) async throws(VirError) -> [TypedParameter] {
        try Self.checkFlags(flags, allowed: 0, "qemuDomainGetGuestInfo")
        let asked = DomainGuestInfoTypes(rawValue: types)
        guard asked.isSubset(of: .supported) else {
            throw VirError(.invalidArg, "unsupported guest information types '0x\(String(types & ~DomainGuestInfoTypes.supported.rawValue, radix: 16))'")
        }
        let kinds = types == 0 ? DomainGuestInfoTypes.supported : asked
        let report = types != 0
        let obj = try obj(dom)
        var params: [TypedParameter] = []
        var filesystems: [AgentFSInfo] = []
        var disks: [JSONValue] = []
        try await withAgent(obj, api: "qemuDomainGetGuestInfo") { agent throws(VirError) in
            func ask(_ command: String) async throws(VirError) -> JSONValue? {
                report ? try await agent.execute(command) : try await agent.executeIfSupported(command)
            }
            if kinds.contains(.users), let users = try await ask("guest-get-users") {
                params += try Self.userParams(users)
            }
            if kinds.contains(.os), let os = try await ask("guest-get-osinfo") {
                guard os.objectValue != nil else { throw VirError(.internalError, "guest-get-osinfo reply was missing return data") }
                for (field, name) in [("id", "os.id"), ("name", "os.name"), ("pretty-name", "os.pretty-name"), ("version", "os.version"),
                                      ("version-id", "os.version-id"), ("machine", "os.machine"), ("variant", "os.variant"),
                                      ("variant-id", "os.variant-id"), ("kernel-release", "os.kernel-release"),
                                      ("kernel-version", "os.kernel-version")] {
                    if let v = os[field]?.stringValue { params.append(TypedParameter(name, .string(v))) }
                }
            }
            if kinds.contains(.timezone), let tz = try await ask("guest-get-timezone") {
                guard tz.objectValue != nil else { throw VirError(.internalError, "guest-get-timezone reply was missing return data") }
                if let zone = tz["zone"]?.stringValue { params.append(TypedParameter("timezone.name", .string(zone))) }
                guard let offset = tz["offset"]?.int64Value, let o = Int32(exactly: offset) else {
                    throw VirError(.internalError, "'offset' missing in reply of guest-get-timezone")
                }
                params.append(TypedParameter("timezone.offset", .int(o)))
            }
            if kinds.contains(.hostname), let host = try await ask("guest-get-host-name") {
                guard let name = host["host-name"]?.stringValue else {
                    throw VirError(.internalError, "'host-name' missing in guest-get-host-name reply")
                }
                params.append(TypedParameter("hostname", .string(name)))
            }
            if kinds.contains(.filesystem), let fs = try await ask("guest-get-fsinfo") {
                filesystems = try AgentFSInfo.parse(fs)
            }
            if kinds.contains(.disks), let d = try await ask("guest-get-disks") {
                guard let list = d.arrayValue else { throw VirError(.internalError, "qemu agent didn't return an array of disks") }
                disks = list
            }
            if kinds.contains(.interfaces), let ifaces = try await ask("guest-network-get-interfaces") {
                params += try Self.interfaceParams(ifaces)
            }
        }
        guard !filesystems.isEmpty || !disks.isEmpty else { return params }
        // The disks' targets, from the live definition (libvirt: under a query job).
        guard obj.isActive else { throw VirError.notRunning }
        let def = obj.def
        var tail: [TypedParameter] = []
        if !filesystems.isEmpty {
            tail.append(TypedParameter("fs.count", .uint(UInt32(filesystems.count))))
            for (i, fs) in filesystems.enumerated() {
                tail.append(TypedParameter("fs.\(i).name", .string(fs.name)))
                tail.append(TypedParameter("fs.\(i).mountpoint", .string(fs.mountpoint)))
                tail.append(TypedParameter("fs.\(i).fstype", .string(fs.fstype)))
                if let total = fs.totalBytes { tail.append(TypedParameter("fs.\(i).total-bytes", .ullong(UInt64(bitPattern: total)))) }
                if let used = fs.usedBytes { tail.append(TypedParameter("fs.\(i).used-bytes", .ullong(UInt64(bitPattern: used)))) }
                tail.append(TypedParameter("fs.\(i).disk.count", .uint(UInt32(fs.disks.count))))
                for (j, d) in fs.disks.enumerated() {
                    if let disk = Self.disk(of: d, in: def) { tail.append(TypedParameter("fs.\(i).disk.\(j).alias", .string(disk.targetDev))) }
                    if let serial = d.serial { tail.append(TypedParameter("fs.\(i).disk.\(j).serial", .string(serial))) }
                    if let dev = d.dev { tail.append(TypedParameter("fs.\(i).disk.\(j).device", .string(dev))) }
                }
            }
        }
        if !disks.isEmpty { tail += try Self.diskParams(disks, def: def) }
        // libvirt adds the interfaces last, after the filesystems and disks.
        let ifaceStart = params.firstIndex { $0.name == "if.count" } ?? params.endIndex
        return Array(params[..<ifaceStart]) + tail + Array(params[ifaceStart...])
    }

    /// libvirt: `qemuAgentGetUsers`.
    static func userParams(_ reply: JSONValue) throws(VirError) -> [TypedParameter] {
        guard let users = reply.arrayValue else { throw VirError(.internalError, "guest-get-users reply was missing return data") }
        var out = [TypedParameter("user.count", .uint(UInt32(users.count)))]
        for (i, u) in users.enumerated() {
            guard let name = u["user"]?.stringValue else { throw VirError(.internalError, "'user' missing in reply of guest-get-users") }
            out.append(TypedParameter("user.\(i).name", .string(name)))
            if let domain = u["domain"]?.stringValue { out.append(TypedParameter("user.\(i).domain", .string(domain))) }
            guard let login = u["login-time"]?.doubleValue else {
                throw VirError(.internalError, "'login-time' missing in reply of guest-get-users")
            }
            out.append(TypedParameter("user.\(i).login-time", .ullong(UInt64(max(0, login * 1000)))))
        }
        return out
    }

    /// libvirt: `qemuAgentGetDisks`, `qemuAgentDiskInfoFormatParams`.
    static func diskParams(_ disks: [JSONValue], def: DomainDef) throws(VirError) -> [TypedParameter] {
        var out = [TypedParameter("disk.count", .uint(UInt32(disks.count)))]
        for (i, d) in disks.enumerated() {
            guard let name = d["name"]?.stringValue else { throw VirError(.internalError, "'name' missing in reply of guest-get-disks") }
            guard let partition = d["partition"]?.boolValue else {
                throw VirError(.internalError, "'partition' missing in reply of guest-get-disks")
            }
            out.append(TypedParameter("disk.\(i).name", .string(name)))
            out.append(TypedParameter("disk.\(i).partition", .boolean(partition)))
            let deps = (d["dependencies"]?.arrayValue ?? []).compactMap(\.stringValue)
            if !deps.isEmpty { out.append(TypedParameter("disk.\(i).dependency.count", .uint(UInt32(deps.count)))) }
            for (j, dep) in deps.enumerated() { out.append(TypedParameter("disk.\(i).dependency.\(j).name", .string(dep))) }
            if let address = d["address"], address.objectValue != nil {
                let a = try AgentFSInfo.Disk.parse(address)
                if let serial = a.serial { out.append(TypedParameter("disk.\(i).serial", .string(serial))) }
                if let disk = Self.disk(of: a, in: def) { out.append(TypedParameter("disk.\(i).alias", .string(disk.targetDev))) }
            }
            if let alias = d["alias"]?.stringValue { out.append(TypedParameter("disk.\(i).guest_alias", .string(alias))) }
        }
        return out
    }

    /// libvirt: `virDomainInterfaceFormatParams`.
    static func interfaceParams(_ reply: JSONValue) throws(VirError) -> [TypedParameter] {
        let ifaces = try DomainInterfaceAddresses.fromAgent(reply)
        var out = [TypedParameter("if.count", .uint(UInt32(ifaces.count)))]
        for (i, iface) in ifaces.enumerated() {
            out.append(TypedParameter("if.\(i).name", .string(iface.name)))
            if let hw = iface.hwaddr { out.append(TypedParameter("if.\(i).hwaddr", .string(hw))) }
            out.append(TypedParameter("if.\(i).addr.count", .uint(UInt32(iface.addrs.count))))
            for (j, a) in iface.addrs.enumerated() {
                out.append(TypedParameter("if.\(i).addr.\(j).type", .string(a.type == .ipv4 ? "ipv4" : "ipv6")))
                out.append(TypedParameter("if.\(i).addr.\(j).addr", .string(a.addr)))
                out.append(TypedParameter("if.\(i).addr.\(j).prefix", .uint(a.prefix)))
            }
        }
        return out
    }
}
