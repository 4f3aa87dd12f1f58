import virutil
import Foundation
import Glibc
import domain_conf
import libvirt_abi
import qemu_capabilities
import qemu_monitor

/// The status XML of one running instance: what a new driver process needs
/// to find it again (pid and its start time, monitor socket, state) and the
/// live definition. Written atomically (a temporary file, fsync, rename), so
/// a reader never sees half of it.
///
/// ```xml
/// <domstatus state='running' reason='booted' pid='1234'>
///   <taint flag='custom-monitor'/>
///   <process starttime='5678' emulator='/usr/bin/qemu-system-x86_64' persistent='yes'>
///     <binary dev='2049' inode='1234' size='1' mtime='1' ctime='1'/>
///     <version major='7' minor='2' micro='22' package='Debian ...'/>
///   </process>
///   <monitor path='.../monitor.sock' type='unix'/>
///   ... elements of the driver's own (migration job) ...
///   <domain type='qemu' id='3'>...</domain>
/// </domstatus>
/// ```
///
/// libvirt: `virDomainObjFormat` / `virDomainObjParseXML` with
/// `qemuDomainObjPrivateXMLFormat` (src/conf/domain_conf.c,
/// src/qemu/qemu_domain.c).
@dynamicMemberLookup
public struct QemuStatusFile: Sendable, Equatable {
    /// What it says of the process (`status.pid`, `status.state`, ...).
    public var instance: Instance
    /// The live definition, id included.
    public var def: DomainDef

    public subscript<T>(dynamicMember field: WritableKeyPath<Instance, T>) -> T {
        get { instance[keyPath: field] }
        set { instance[keyPath: field] = newValue }
    }

    public init(state: DomainStateReason, pid: Int32, startTime: UInt64, emulator: String,
                binary: QemuBinaryIdentity? = nil, qemuVersion: QemuVersion? = nil, monitorPath: String,
                persistent: Bool, def: DomainDef, extra: [XMLElement] = [], taint: Set<DomainTaint> = [],
                addressesAssigned: Bool = false) {
        instance = Instance(state: state, pid: pid, startTime: startTime, emulator: emulator, binary: binary,
                            qemuVersion: qemuVersion, monitorPath: monitorPath, persistent: persistent, extra: extra,
                            taint: taint, addressesAssigned: addressesAssigned)
        self.def = def
    }

    /// The names libvirt writes for states in status XML
    /// (`virDomainStateTypeToString`).
    static let stateNames: [DomainState: String] = [
        .noState: "nostate", .running: "running", .blocked: "blocked", .paused: "paused", .shutdown: "shutdown",
        .shutoff: "shutoff", .crashed: "crashed", .pmSuspended: "pmsuspended",
    ]

    public func format() -> String {
        var root = XMLElement("domstatus", attributes: [
            XMLAttribute("state", Self.stateNames[instance.state.state] ?? "nostate"),
            XMLAttribute("reason", String(instance.state.rawReason)),
            XMLAttribute("pid", String(instance.pid)),
        ])
        for t in instance.taint.sorted() {
            root.children.append(.element(XMLElement("taint", attributes: [XMLAttribute("flag", t.name)])))
        }
        var process = XMLElement("process", attributes: [
            XMLAttribute("starttime", String(instance.startTime)), XMLAttribute("emulator", instance.emulator),
            XMLAttribute("persistent", instance.persistent ? "yes" : "no"),
        ] + (instance.addressesAssigned ? [XMLAttribute("addresses", "assigned")] : []))
        if let b = instance.binary {
            process.children.append(.element(XMLElement("binary", attributes: [
                XMLAttribute("dev", String(b.device)), XMLAttribute("inode", String(b.inode)), XMLAttribute("size", String(b.size)),
                XMLAttribute("mtime", String(b.modified)), XMLAttribute("ctime", String(b.changed)),
            ])))
        }
        if let v = instance.qemuVersion {
            process.children.append(.element(XMLElement("version", attributes: [
                XMLAttribute("major", String(v.major)), XMLAttribute("minor", String(v.minor)),
                XMLAttribute("micro", String(v.micro)), XMLAttribute("package", v.package),
            ])))
        }
        root.children.append(.element(process))
        root.children.append(.element(XMLElement("monitor", attributes: [XMLAttribute("path", instance.monitorPath), XMLAttribute("type", "unix")])))
        root.children += instance.extra.map(XMLNode.element)
        root.children.append(.element(def.element()))
        return root.formatted()
    }

    public static func parse(_ text: String, path: String) throws(VirError) -> QemuStatusFile {
        let root = try XMLParser.parse(text, url: path, rootElement: "domstatus")
        let i = try Instance(root, path: path)
        guard let domain = root.child("domain") else {
            throw VirError.conf(.internalError, "no domain element in status file \(path)")
        }
        var status = QemuStatusFile(state: i.state, pid: i.pid, startTime: i.startTime, emulator: i.emulator,
                                    monitorPath: i.monitorPath, persistent: i.persistent, def: try DomainDef(element: domain, inactive: false))
        status.instance = i
        return status
    }

    /// What a status file says of its process, outside the live
    /// definition: the root element's attributes and its other children.
    public struct Instance: Sendable, Equatable {
        public var state: DomainStateReason
        public var pid: Int32
        /// Clock ticks since boot when the process started (/proc/PID/stat).
        public var startTime: UInt64
        public var emulator: String
        /// The emulator file the process was started from (absent in status
        /// files of older drivers).
        public var binary: QemuBinaryIdentity?
        /// The QEMU the process runs, from its monitor.
        public var qemuVersion: QemuVersion?
        public var monitorPath: String
        /// Whether the domain has a persistent definition.
        public var persistent: Bool
        /// The driver's own elements (a migration in flight, for recovery).
        public var extra: [XMLElement]
        /// How the instance is tainted (libvirt: `vm->taint`).
        public var taint: Set<DomainTaint>
        /// Every PCI address of the live definition is the driver's (none
        /// was left for QEMU to choose): a new driver may attach the
        /// instance without reading its live definition
        /// (`QemuStatusHeader`). `false` in status files of older drivers.
        public var addressesAssigned: Bool

        init(state: DomainStateReason, pid: Int32, startTime: UInt64, emulator: String, binary: QemuBinaryIdentity?,
             qemuVersion: QemuVersion?, monitorPath: String, persistent: Bool, extra: [XMLElement], taint: Set<DomainTaint>,
             addressesAssigned: Bool) {
            self.state = state
            self.pid = pid
            self.startTime = startTime
            self.emulator = emulator
            self.binary = binary
            self.qemuVersion = qemuVersion
            self.monitorPath = monitorPath
            self.persistent = persistent
            self.extra = extra
            self.taint = taint
            self.addressesAssigned = addressesAssigned
        }

        init(_ root: XMLElement, path: String) throws(VirError) {
            guard let stateName = root.attribute("state"),
                  let state = stateNames.first(where: { $0.value == stateName })?.key,
                  let reasonNumber = root.attribute("reason").flatMap(Int32.init),
                  let reason = DomainStateReason(state: state.rawValue, reason: reasonNumber) else {
                throw VirError.conf(.internalError, "invalid domain state in status file \(path)")
            }
            guard let pid = root.attribute("pid").flatMap(Int32.init), pid > 0 else {
                throw VirError.conf(.internalError, "invalid pid in status file \(path)")
            }
            guard let process = root.child("process"), let start = process.attribute("starttime").flatMap(UInt64.init),
                  let emulator = process.attribute("emulator") else {
                throw VirError.conf(.internalError, "no process element in status file \(path)")
            }
            guard let monitor = root.child("monitor")?.attribute("path") else {
                throw VirError.conf(.internalError, "no monitor path in status file \(path)")
            }
            self.state = reason
            self.pid = pid
            self.startTime = start
            self.emulator = emulator
            self.monitorPath = monitor
            persistent = process.attribute("persistent") == "yes"
            addressesAssigned = process.attribute("addresses") == "assigned"
            extra = root.elements.filter { !["process", "monitor", "domain", "taint"].contains($0.name) }
            if let b = process.child("binary"), let dev = b.attribute("dev").flatMap(UInt64.init),
               let inode = b.attribute("inode").flatMap(UInt64.init), let size = b.attribute("size").flatMap(Int64.init),
               let mtime = b.attribute("mtime").flatMap(Int64.init), let ctime = b.attribute("ctime").flatMap(Int64.init) {
                binary = QemuBinaryIdentity(path: emulator, device: dev, inode: inode, size: size, modified: mtime, changed: ctime)
            }
            if let v = process.child("version"), let major = v.attribute("major").flatMap(Int.init),
               let minor = v.attribute("minor").flatMap(Int.init), let micro = v.attribute("micro").flatMap(Int.init) {
                qemuVersion = QemuVersion(major: major, minor: minor, micro: micro, package: v.attribute("package") ?? "")
            }
            // A mark this driver does not know is dropped, as libvirt fails on it
            // (virXMLPropEnum): the instance is still found again.
            taint = Set(root.elements.filter { $0.name == "taint" }.compactMap { $0.attribute("flag").flatMap(DomainTaint.init(name:)) })
        }
    }

    /// Reads a status file.
    public static func read(_ path: String) throws(VirError) -> QemuStatusFile {
        try parse(try text(at: path), path: path)
    }

    /// A status file's text: plain reads, never through a symbolic link.
    static func text(at path: String) throws(VirError) -> String {
        let bytes: [UInt8]
        do { bytes = try VirFile.readAll(path, limit: XMLParser.maxInputBytes) } catch {
            throw VirError.conf(.readFailed, path)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the status file atomically.
    ///
    /// libvirt: `virDomainObjSave` → `virFileRewrite`.
    ///
    /// Atomic, not durable (no fsync): a status file describes processes,
    /// which do not outlive a crash of the host either; what matters is that
    /// a reader never sees half a file.
    public func write(to path: String) throws(VirError) {
        try AtomicFile.write(format(), to: path, mode: 0o600, durable: false)
    }
}
