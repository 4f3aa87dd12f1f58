import Synchronization
import domain_conf
import libvirt_abi
import virdomainobjlist

/// Callbacks that run when a client connection closes: destroy a domain
/// started with `--autodestroy`, finish or roll back a migration whose
/// client went away.
///
/// libvirt 6.0 kept one callback per domain UUID, so the source instance and
/// the incoming instance of a local migration could not both hold one: the
/// second registration was refused or replaced the first. This registry keys
/// them per instance (UUID plus id), and when a connection closes it finds
/// each instance in the table it lives in, source or remote (patch 4).
///
/// libvirt: `virCloseCallbacks` (src/util/virclosecallbacks.c in 6.0,
/// src/hypervisor/ in 9.0).
public final class CloseCallbacks: Sendable {
    /// A callback: gets the instance's object and the connection that closed.
    public typealias Callback = @Sendable (DomainObj, Int) async -> Void

    struct Entry {
        let connection: Int
        /// What the callback is for; stands in for libvirt's function
        /// pointer comparison (Swift closures cannot be compared).
        let kind: CloseCallbackKind
        let callback: Callback
    }

    private let table = Mutex<[CloseCallbackInstance: Entry]>([:])

    public init() {}

    /// Registers `callback` for `instance` on behalf of `connection`.
    ///
    /// libvirt: `virCloseCallbacksSet`.
    public func set(_ instance: CloseCallbackInstance, connection: Int, kind: CloseCallbackKind, name: String,
                    _ callback: @escaping Callback) throws(VirError) {
        try table.withLock { t throws(VirError) -> Void in
            if let existing = t[instance] {
                if existing.connection != connection {
                    throw VirError(.internalError, "Close callback for domain \(name) already registered with another connection \(Self.describe(existing.connection))")
                }
                if existing.kind != kind {
                    throw VirError(.internalError, "Another close callback is already defined for domain \(name)")
                }
            }
            t[instance] = Entry(connection: connection, kind: kind, callback: callback)
        }
    }

    /// Removes the callback of `kind` for `instance`.
    ///
    /// libvirt: `virCloseCallbacksUnset`.
    public func unset(_ instance: CloseCallbackInstance, kind: CloseCallbackKind, name: String) throws(VirError) {
        try table.withLock { t throws(VirError) -> Void in
            guard let existing = t[instance], existing.kind == kind else {
                throw VirError(.internalError, "Trying to remove mismatching close callback for domain \(name)")
            }
            _ = existing
            t[instance] = nil
        }
    }

    /// Removes whatever is registered for an instance that is gone.
    public func forget(_ instance: CloseCallbackInstance) {
        table.withLock { $0[instance] = nil }
    }

    /// The kind of callback registered for `instance`, if `connection` is
    /// the one that registered it (or `nil` to ask for any connection).
    ///
    /// libvirt: `virCloseCallbacksGet`.
    public func get(_ instance: CloseCallbackInstance, connection: Int? = nil) -> CloseCallbackKind? {
        table.withLock { t in
            guard let e = t[instance], connection == nil || e.connection == connection else { return nil }
            return e.kind
        }
    }

    /// The connection holding the callback of `instance`.
    ///
    /// libvirt: `virCloseCallbacksGetConn`.
    public func connection(of instance: CloseCallbackInstance) -> Int? {
        table.withLock { $0[instance]?.connection }
    }

    /// How many callbacks are registered.
    public var count: Int { table.withLock { $0.count } }

    /// Runs, and removes, every callback that `connection` registered. Each
    /// instance is looked for where it lives: in the source tables (an
    /// object with that UUID and that id), else in the remote tables (the
    /// incoming side of a local migration). Instances that are gone are
    /// skipped.
    ///
    /// libvirt: `virCloseCallbacksRun`.
    public func run(connection: Int, domains: DomainObjList) async {
        let entries = table.withLock { t -> [(CloseCallbackInstance, Entry)] in
            let mine = t.filter { $0.value.connection == connection }
            for key in mine.keys { t[key] = nil }
            return mine.sorted { $0.key.id < $1.key.id }.map { ($0.key, $0.value) }
        }
        for (instance, entry) in entries {
            guard let obj = Self.find(instance, in: domains) else { continue }
            await entry.callback(obj, connection)
        }
    }

    /// The object of an instance, in the source tables or the remote ones.
    public static func find(_ instance: CloseCallbackInstance, in domains: DomainObjList) -> DomainObj? {
        if let o = domains.findByUUID(instance.uuid), o.id == instance.id { return o }
        if let o = domains.findRemote(byUUID: instance.uuid), o.id == instance.id { return o }
        return nil
    }

    static func describe(_ connection: Int) -> String {
        "0x" + String(connection, radix: 16)
    }
}
