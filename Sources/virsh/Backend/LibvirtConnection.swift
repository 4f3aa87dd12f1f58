import CLibvirt
import Foundation
import libvirt_abi

// The one place in virsh that touches libvirt's C API and its pointers:
// every URI that is not the embedded driver goes through libvirt's client
// library (qemu:///system, qemu+unix:///system?socket=..., test:///default).
// Every string and array libvirt hands out is freed here; typed
// parameters go through the virTypedParams* functions.
//
// libvirt keeps the last error per thread: each wrapper reads it on the
// thread that made the failing call, before anything else can run there.

/// libvirt's library as a whole.
enum LibvirtLibrary {
    /// Keeps libvirt from printing errors itself (virsh does the same with
    /// `virSetErrorFunc(NULL, vshErrorHandler)`), once.
    static let quiet: Void = {
        virInitialize()
        virSetErrorFunc(nil) { _, _ in }
    }()

    /// libvirt's own authentication callbacks (`virConnectAuthPtrDefault`,
    /// which prompts on the terminal), read through the dynamic linker:
    /// Swift 6 does not let code read a C global variable.
    static var defaultAuth: virConnectAuthPtr? {
        guard let sym = dlsym(nil, "virConnectAuthPtrDefault") else { return nil }
        return sym.assumingMemoryBound(to: virConnectAuthPtr?.self).pointee
    }

    /// The version of the libvirt library in use (libvirt: `virGetVersion`).
    static func version() -> UInt64 {
        _ = quiet
        var v: UInt = 0
        guard virGetVersion(&v, nil, nil) == 0 else { return 0 }
        return UInt64(v)
    }

    /// The version the library's headers declare (`LIBVIR_VERSION_NUMBER`).
    static var headerVersion: UInt64 { UInt64(LIBVIR_VERSION_NUMBER) }

    /// The last error of this thread, then cleared (libvirt:
    /// `virGetLastError`, `virResetLastError`).
    static func lastError() -> VirshError {
        defer { virResetLastError() }
        guard let e = virGetLastError(), e.pointee.code != VIR_ERR_OK.rawValue else {
            return VirshError(code: .internalError, message: "unknown error")
        }
        let message = e.pointee.message.map { String(cString: $0) } ?? "unknown error"
        return VirshError(code: ErrorNumber(rawValue: e.pointee.code), message: message)
    }

    /// A string libvirt allocated, freed.
    static func take(_ p: UnsafeMutablePointer<CChar>?) -> String? {
        guard let p else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// A fixed-size C character array (imported as a tuple) as a string.
    static func string<T>(fromTuple tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Runs a blocking libvirt call on a thread of its own, so that the
    /// caller can watch the job meanwhile.
    static func blocking<R: Sendable>(_ body: @escaping @Sendable () -> R) async -> R {
        await withCheckedContinuation { (c: CheckedContinuation<R, Never>) in
            let t = Thread { c.resume(returning: body()) }
            t.stackSize = 1 << 20
            t.start()
        }
    }
}

/// Typed parameters in libvirt's C form, freed when done.
private final class CTypedParams {
    var params: virTypedParameterPtr?
    var count: Int32 = 0
    var capacity: Int32 = 0

    init(_ list: [TypedParameter]) throws(VirshError) {
        for p in list {
            let rc: Int32
            switch p.value {
            case .int(let v): rc = virTypedParamsAddInt(&params, &count, &capacity, p.name, v)
            case .uint(let v): rc = virTypedParamsAddUInt(&params, &count, &capacity, p.name, v)
            case .llong(let v): rc = virTypedParamsAddLLong(&params, &count, &capacity, p.name, v)
            case .ullong(let v): rc = virTypedParamsAddULLong(&params, &count, &capacity, p.name, v)
            case .double(let v): rc = virTypedParamsAddDouble(&params, &count, &capacity, p.name, v)
            case .boolean(let v): rc = virTypedParamsAddBoolean(&params, &count, &capacity, p.name, v ? 1 : 0)
            case .string(let v): rc = virTypedParamsAddString(&params, &count, &capacity, p.name, v)
            }
            if rc < 0 { throw LibvirtLibrary.lastError() }
        }
    }

    deinit { virTypedParamsFree(params, count) }

    /// libvirt's C parameters as Swift values.
    static func decode(_ params: virTypedParameterPtr?, _ n: Int32) -> [TypedParameter] {
        guard let params, n > 0 else { return [] }
        return (0..<Int(n)).compactMap { i -> TypedParameter? in
            let p = params[i]
            let name = LibvirtLibrary.string(fromTuple: p.field)
            switch p.type {
            case Int32(VIR_TYPED_PARAM_INT.rawValue): return TypedParameter(name, .int(p.value.i))
            case Int32(VIR_TYPED_PARAM_UINT.rawValue): return TypedParameter(name, .uint(p.value.ui))
            case Int32(VIR_TYPED_PARAM_LLONG.rawValue): return TypedParameter(name, .llong(p.value.l))
            case Int32(VIR_TYPED_PARAM_ULLONG.rawValue): return TypedParameter(name, .ullong(p.value.ul))
            case Int32(VIR_TYPED_PARAM_DOUBLE.rawValue): return TypedParameter(name, .double(p.value.d))
            case Int32(VIR_TYPED_PARAM_BOOLEAN.rawValue): return TypedParameter(name, .boolean(p.value.b != 0))
            case Int32(VIR_TYPED_PARAM_STRING.rawValue):
                return TypedParameter(name, .string(p.value.s.map { String(cString: $0) } ?? ""))
            default: return nil
            }
        }
    }
}

/// A connection through libvirt's client library (`virConnectPtr`).
/// libvirt's connection objects are thread-safe.
final class LibvirtConnection: VirshConnection, @unchecked Sendable {
    private let ptr: OpaquePointer
    private let closed = NSLock()
    private var isClosed = false

    private init(_ ptr: OpaquePointer) {
        self.ptr = ptr
    }

    /// libvirt: `virConnectOpenAuth` with the default authentication
    /// callback, as virsh opens its connections.
    static func open(_ uri: String, readonly: Bool) async throws(VirshError) -> LibvirtConnection {
        _ = LibvirtLibrary.quiet
        let flags = readonly ? UInt32(VIR_CONNECT_RO.rawValue) : 0
        guard let c = virConnectOpenAuth(uri, LibvirtLibrary.defaultAuth, flags) else {
            throw LibvirtLibrary.lastError()
        }
        return LibvirtConnection(c)
    }

    private func domain(_ p: OpaquePointer?) throws(VirshError) -> LibvirtDomain {
        guard let p else { throw LibvirtLibrary.lastError() }
        return LibvirtDomain(p)
    }

    func uri() async throws(VirshError) -> String {
        guard let s = LibvirtLibrary.take(virConnectGetURI(ptr)) else { throw LibvirtLibrary.lastError() }
        return s
    }

    func hostname() async throws(VirshError) -> String {
        guard let s = LibvirtLibrary.take(virConnectGetHostname(ptr)) else { throw LibvirtLibrary.lastError() }
        return s
    }

    func type() async throws(VirshError) -> String {
        guard let t = virConnectGetType(ptr) else { throw LibvirtLibrary.lastError() }
        return String(cString: t)
    }

    func hypervisorVersion() async throws(VirshError) -> UInt64 {
        var v: UInt = 0
        guard virConnectGetVersion(ptr, &v) == 0 else { throw LibvirtLibrary.lastError() }
        return UInt64(v)
    }

    func libVersion() async throws(VirshError) -> UInt64 {
        var v: UInt = 0
        guard virConnectGetLibVersion(ptr, &v) == 0 else { throw LibvirtLibrary.lastError() }
        return UInt64(v)
    }

    func securityModel() async throws(VirshError) -> (model: String, doi: String)? {
        var m = virSecurityModel()
        guard virNodeGetSecurityModel(ptr, &m) == 0 else {
            let e = LibvirtLibrary.lastError()
            if e.code == .noSupport { return nil }
            throw e
        }
        return (LibvirtLibrary.string(fromTuple: m.model), LibvirtLibrary.string(fromTuple: m.doi))
    }

    func lookup(id: Int32) async throws(VirshError) -> any VirshDomain {
        try domain(virDomainLookupByID(ptr, id))
    }

    func lookup(uuid: String) async throws(VirshError) -> any VirshDomain {
        try domain(virDomainLookupByUUIDString(ptr, uuid))
    }

    func lookup(name: String) async throws(VirshError) -> any VirshDomain {
        try domain(virDomainLookupByName(ptr, name))
    }

    func listAllDomains(_ flags: ListAllDomainsFlags) async throws(VirshError) -> [any VirshDomain] {
        var list: UnsafeMutablePointer<virDomainPtr?>?
        let n = virConnectListAllDomains(ptr, &list, flags.rawValue)
        guard n >= 0 else { throw LibvirtLibrary.lastError() }
        defer { free(list) }
        guard let list else { return [] }
        // Each handle now belongs to a LibvirtDomain, which frees it.
        return (0..<Int(n)).compactMap { i in list[i].map { LibvirtDomain($0) } }
    }

    func defineXML(_ xml: String, validate: Bool) async throws(VirshError) -> any VirshDomain {
        let p = validate ? virDomainDefineXMLFlags(ptr, xml, UInt32(VIR_DOMAIN_DEFINE_VALIDATE.rawValue))
                         : virDomainDefineXML(ptr, xml)
        return try domain(p)
    }

    func migrate(_ dom: any VirshDomain, to dconn: any VirshConnection, params: [TypedParameter],
                 flags: MigrateFlags) async throws(VirshError) -> any VirshDomain {
        guard let d = dom as? LibvirtDomain, let dest = dconn as? LibvirtConnection else {
            throw VirshError.unsupported("migration between a libvirt daemon and the embedded driver is not supported; use the same kind of URI on both sides")
        }
        let c = try CTypedParams(params)
        let result: Result<LibvirtDomain, VirshError> = await LibvirtLibrary.blocking { [c] in
            let p = virDomainMigrate3(d.ptr, dest.ptr, c.params, UInt32(c.count), flags.rawValue)
            guard let p else { return .failure(LibvirtLibrary.lastError()) }
            return .success(LibvirtDomain(p))
        }
        return try result.get()
    }

    func migrateToURI(_ dom: any VirshDomain, dconnuri: String, params: [TypedParameter],
                      flags: MigrateFlags) async throws(VirshError) {
        guard let d = dom as? LibvirtDomain else {
            throw VirshError.unsupported("the domain does not belong to this libvirt connection")
        }
        let c = try CTypedParams(params)
        let result: Result<Void, VirshError> = await LibvirtLibrary.blocking { [c] in
            virDomainMigrateToURI3(d.ptr, dconnuri, c.params, UInt32(c.count), flags.rawValue) == 0
                ? .success(()) : .failure(LibvirtLibrary.lastError())
        }
        try result.get()
    }

    func close() async {
        let first = closed.withLock { () -> Bool in
            defer { isClosed = true }
            return !isClosed
        }
        if first { virConnectClose(ptr) }
    }
}

extension CTypedParams: @unchecked Sendable {}

/// A domain handle of libvirt's client library (`virDomainPtr`), freed
/// with the handle.
final class LibvirtDomain: VirshDomain, @unchecked Sendable {
    let ptr: OpaquePointer
    let name: String
    let uuid: String
    let id: Int?

    init(_ ptr: OpaquePointer) {
        self.ptr = ptr
        name = virDomainGetName(ptr).map { String(cString: $0) } ?? ""
        var buf = [CChar](repeating: 0, count: Int(VIR_UUID_STRING_BUFLEN))
        uuid = virDomainGetUUIDString(ptr, &buf) == 0 ? String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        let i = virDomainGetID(ptr)
        id = i == UInt32.max ? nil : Int(i)
    }

    deinit { virDomainFree(ptr) }

    private func check(_ rc: Int32) throws(VirshError) {
        if rc < 0 { throw LibvirtLibrary.lastError() }
    }

    private func flag(_ rc: Int32) throws(VirshError) -> Bool {
        try check(rc)
        return rc != 0
    }

    func osType() async throws(VirshError) -> String {
        guard let s = LibvirtLibrary.take(virDomainGetOSType(ptr)) else { throw LibvirtLibrary.lastError() }
        return s
    }

    func info() async throws(VirshError) -> VirshDomainInfo {
        var i = virDomainInfo()
        try check(virDomainGetInfo(ptr, &i))
        return VirshDomainInfo(state: Int32(i.state), maxMemory: UInt64(i.maxMem), memory: UInt64(i.memory),
                               vcpus: UInt32(i.nrVirtCpu), cpuTime: i.cpuTime)
    }

    func state() async throws(VirshError) -> (state: Int32, reason: Int32) {
        var s: Int32 = 0, r: Int32 = 0
        try check(virDomainGetState(ptr, &s, &r, 0))
        return (s, r)
    }

    func isActive() async throws(VirshError) -> Bool { try flag(virDomainIsActive(ptr)) }
    func isPersistent() async throws(VirshError) -> Bool { try flag(virDomainIsPersistent(ptr)) }

    func autostart() async throws(VirshError) -> Bool {
        var a: Int32 = 0
        try check(virDomainGetAutostart(ptr, &a))
        return a != 0
    }

    func hasManagedSaveImage() async throws(VirshError) -> Bool { try flag(virDomainHasManagedSaveImage(ptr, 0)) }

    func securityLabel() async throws(VirshError) -> (label: String, enforcing: Bool) {
        var l = virSecurityLabel()
        try check(virDomainGetSecurityLabel(ptr, &l))
        // `char label[4097]` is too large for Swift to import as a field:
        // it starts the struct, `int enforcing` ends it.
        return withUnsafeBytes(of: &l) { raw -> (String, Bool) in
            let label = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            let enforcing = raw.load(fromByteOffset: raw.count - MemoryLayout<Int32>.size, as: Int32.self)
            return (label, enforcing != 0)
        }
    }

    func messages() async throws(VirshError) -> [String] {
        var msgs: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let n = virDomainGetMessages(ptr, &msgs, 0)
        guard n >= 0 else { throw LibvirtLibrary.lastError() }
        guard let msgs else { return [] }
        defer { free(msgs) }
        return (0..<Int(n)).compactMap { LibvirtLibrary.take(msgs[$0]) }
    }

    func xmlDesc(_ flags: DomainXMLFlags) async throws(VirshError) -> String {
        guard let s = LibvirtLibrary.take(virDomainGetXMLDesc(ptr, flags.rawValue)) else { throw LibvirtLibrary.lastError() }
        return s
    }

    /// As virsh: the older API unless a flag must be passed.
    func create(_ flags: DomainStartFlags) async throws(VirshError) {
        try check(flags.isEmpty ? virDomainCreate(ptr) : virDomainCreateWithFlags(ptr, flags.rawValue))
    }

    func destroy(graceful: Bool) async throws(VirshError) {
        try check(graceful ? virDomainDestroyFlags(ptr, UInt32(VIR_DOMAIN_DESTROY_GRACEFUL.rawValue)) : virDomainDestroy(ptr))
    }

    func shutdown() async throws(VirshError) { try check(virDomainShutdown(ptr)) }
    func suspend() async throws(VirshError) { try check(virDomainSuspend(ptr)) }
    func resume() async throws(VirshError) { try check(virDomainResume(ptr)) }
    func undefine() async throws(VirshError) { try check(virDomainUndefine(ptr)) }

    func jobStats(completed: Bool) async throws(VirshError) -> (type: Int32, params: [TypedParameter]) {
        var type: Int32 = 0
        var params: virTypedParameterPtr?
        var n: Int32 = 0
        let flags = completed ? UInt32(VIR_DOMAIN_JOB_STATS_COMPLETED.rawValue) : 0
        try check(virDomainGetJobStats(ptr, &type, &params, &n, flags))
        defer { virTypedParamsFree(params, n) }
        return (type, CTypedParams.decode(params, n))
    }

    func jobProgress() async throws(VirshError) -> VirshJobProgress {
        var i = virDomainJobInfo()
        try check(virDomainGetJobInfo(ptr, &i))
        return VirshJobProgress(type: DomainJobType(rawValue: i.type) ?? .none, dataTotal: i.dataTotal,
                                dataRemaining: i.dataRemaining, timeElapsed: i.timeElapsed,
                                timeRemaining: i.timeRemaining, dataProcessed: i.dataProcessed,
                                memTotal: i.memTotal, memProcessed: i.memProcessed, memRemaining: i.memRemaining,
                                fileTotal: i.fileTotal, fileProcessed: i.fileProcessed, fileRemaining: i.fileRemaining)
    }

    func abortJob() async throws(VirshError) { try check(virDomainAbortJob(ptr)) }
}
