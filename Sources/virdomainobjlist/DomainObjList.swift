import Foundation
import Synchronization
import domain_conf
import libvirt_abi

/// All domains of a driver, indexed by UUID, name and id, plus the series'
/// *remote tables*: the incoming instance of a domain during a local
/// migration, which shares the source's name and UUID.
///
/// Ordinary lookups read only the source tables. Prepare puts the incoming
/// object in the remote tables; after Confirm, `promoteRemote` moves it into
/// the source tables in one step, replacing the source object, so that a
/// lookup by name, UUID or id never misses the domain and never sees it
/// twice.
///
/// libvirt: `virDomainObjList` (src/conf/virdomainobjlist.c), with the
/// series' patches 2 and 6.
public final class DomainObjList: Sendable {
    struct Tables {
        var byUUID: [DomainUUID: DomainObj] = [:]
        var byName: [String: DomainObj] = [:]
        /// libvirt scans all objects for an id; this index makes it O(1).
        var byID: [Int: DomainObj] = [:]
        var remoteByUUID: [DomainUUID: DomainObj] = [:]
        var remoteByName: [String: DomainObj] = [:]

        func isRemote(_ obj: DomainObj) -> Bool { remoteByUUID[obj.uuid] === obj }
    }

    private let tables = Mutex(Tables())
    private let makePrivateData: @Sendable (DomainDef) -> (any Sendable)?

    /// - Parameter makePrivateData: builds the driver's data for each new
    ///   object (libvirt: `virDomainXMLPrivateDataCallbacks.alloc`).
    public init(makePrivateData: @escaping @Sendable (DomainDef) -> (any Sendable)? = { _ in nil }) {
        self.makePrivateData = makePrivateData
    }

    /// How `add` treats an existing domain with the same UUID.
    public struct AddFlags: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// Refuse to replace the definition of a running or starting domain
        /// (`VIR_DOMAIN_OBJ_LIST_ADD_CHECK_LIVE`).
        public static let checkLive = AddFlags(rawValue: 1 << 0)
        /// The definition describes a live instance (`VIR_DOMAIN_OBJ_LIST_ADD_LIVE`).
        public static let live = AddFlags(rawValue: 1 << 1)
    }

    // MARK: source tables

    /// Adds a domain, or gives an existing one of the same UUID and name
    /// the new definition.
    ///
    /// - Returns: the object, and the definition it replaced if any.
    ///
    /// libvirt: `virDomainObjListAdd`.
    @discardableResult
    public func add(_ def: DomainDef, flags: AddFlags = []) throws(VirError) -> (obj: DomainObj, oldDef: DomainDef?) {
        return try tables.withLock { t throws(VirError) -> (DomainObj, DomainDef?) in
            if let vm = t.byUUID[def.uuid] {
                let (removing, name, active, persistent) = vm.withLock { ($0.removing, $0.name, $0.id != nil, $0.persistent) }
                if removing {
                    throw VirError.conf(.operationFailed, "domain '\(name)' is already being removed")
                }
                if name != def.name {
                    throw VirError.conf(.operationFailed, "domain '\(name)' is already defined with uuid \(vm.uuid)")
                }
                if flags.contains(.checkLive) {
                    if active {
                        throw VirError.conf(.operationInvalid, "domain '\(name)' is already active")
                    }
                    if !persistent {
                        throw VirError.conf(.operationInvalid, "domain '\(name)' is already being started")
                    }
                }
                let old = vm.assignDef(def, live: flags.contains(.live))
                return (vm, old)
            }
            if let other = t.byName[def.name] {
                throw VirError.conf(.operationFailed, "domain '\(def.name)' already exists with uuid \(other.uuid)")
            }
            let vm = DomainObj(def: def, privateData: makePrivateData(def))
            t.byUUID[def.uuid] = vm
            t.byName[def.name] = vm
            return (vm, nil)
        }
    }

    /// Gives a defined, inactive domain a live definition parsed when first
    /// read (`DeferredDomainDef`): a running instance found again, as
    /// `add(_:flags: .live)` would with the definition in hand.
    ///
    /// - Returns: the object; `nil` when there is no persistent, inactive
    ///   domain of that UUID and name to take it (the caller then reads the
    ///   definition and uses `add`).
    public func addDeferredLive(uuid: DomainUUID, name: String, _ deferred: DeferredDomainDef) -> DomainObj? {
        tables.withLock { t -> DomainObj? in
            guard let vm = t.byUUID[uuid] else { return nil }
            let usable = vm.withLock { !$0.removing && $0.name == name && $0.id == nil && $0.persistent }
            guard usable else { return nil }
            vm.assignDeferredLive(deferred)
            return vm
        }
    }

    // Lookups need no `removing` check (libvirt locks the object to make
    // one): here an object leaves the tables in the same critical section
    // that marks it removing, so a lookup racing a removal or a promotion
    // sees the old object or the new one, never neither and never a removed
    // one.

    /// libvirt: `virDomainObjListFindByUUID`.
    public func findByUUID(_ uuid: DomainUUID) -> DomainObj? {
        tables.withLock { $0.byUUID[uuid] }
    }

    /// libvirt: `virDomainObjListFindByName`.
    public func findByName(_ name: String) -> DomainObj? {
        tables.withLock { $0.byName[name] }
    }

    /// libvirt: `virDomainObjListFindByID` (a scan there, an index here).
    public func findByID(_ id: Int) -> DomainObj? {
        tables.withLock { $0.byID[id] }
    }

    /// Records that an instance now runs with this id (libvirt sets
    /// `vm->def->id` directly; here the list keeps its id index in step).
    /// Works for objects in either table; only source objects are found by id.
    public func assignID(_ obj: DomainObj, _ id: Int) {
        tables.withLock { t in
            let remote = t.isRemote(obj)
            obj.withLock { f in
                if !remote, let old = f.id, t.byID[old] === obj { t.byID[old] = nil }
                f.id = id
            }
            if !remote { t.byID[id] = obj }
        }
    }

    /// Records that the instance stopped: the object is inactive again.
    public func clearID(_ obj: DomainObj) {
        tables.withLock { t in
            obj.withLock { f in
                if let old = f.id, t.byID[old] === obj { t.byID[old] = nil }
                f.id = nil
            }
        }
    }

    /// Takes a domain out of the source tables.
    ///
    /// libvirt: `virDomainObjListRemove`.
    public func remove(_ obj: DomainObj) {
        tables.withLock { t in
            let (name, id) = obj.withLock { f -> (String, Int?) in
                f.removing = true
                return (f.name, f.id)
            }
            if t.byUUID[obj.uuid] === obj { t.byUUID[obj.uuid] = nil }
            if t.byName[name] === obj { t.byName[name] = nil }
            if let id, t.byID[id] === obj { t.byID[id] = nil }
        }
    }

    /// Renames a domain. `body` runs with the list locked, after the new
    /// name is reserved: it moves whatever is keyed by name (the config
    /// file) and may throw to cancel.
    ///
    /// libvirt: `virDomainObjListRename`.
    public func rename(_ obj: DomainObj, to newName: String,
                       _ body: (DomainObj, String) throws -> Void = { _, _ in }) throws {
        let oldName = obj.name
        if oldName == newName {
            throw VirError.conf(.operationInvalid, "Can't rename domain to itself")
        }
        try DomainDef.checkName(newName)
        try tables.withLock { t in
            if t.byName[newName] != nil || t.remoteByName[newName] != nil {
                throw VirError.conf(.operationInvalid, "domain with name '\(newName)' already exists")
            }
            if t.remoteByUUID[obj.uuid] != nil {
                throw VirError.conf(.operationInvalid, "domain '\(oldName)' is being migrated")
            }
            try body(obj, newName)
            obj.withLock { f in
                f.def.name = newName
                f.newDef?.name = newName
            }
            t.byName[oldName] = nil
            t.byName[newName] = obj
        }
    }

    /// The domains that match a filter, in no particular order.
    ///
    /// libvirt: `virDomainObjListCollect` with `virDomainObjMatchFilter`.
    public func list(_ filter: ListAllDomainsFlags = []) -> [DomainObj] {
        tables.withLock { t in
            filter.isEmpty ? t.byUUID.values.filter { !$0.removing } : t.byUUID.values.filter { $0.matches(filter) }
        }
    }

    /// libvirt: `virDomainObjListNumOfDomains`.
    public func count(_ filter: ListAllDomainsFlags = []) -> Int {
        list(filter).count
    }

    /// Ids of the running domains (libvirt: `virDomainObjListGetActiveIDs`).
    public func activeIDs() -> [Int] {
        tables.withLock { Array($0.byID.keys) }.sorted()
    }

    /// Names of domains that match a filter (libvirt: `virDomainObjListGetInactiveNames`
    /// is this with `.inactive`).
    public func names(_ filter: ListAllDomainsFlags = []) -> [String] {
        list(filter).map(\.name).sorted()
    }

    /// Loads every persistent definition in `configDir` (`NAME.xml`), and
    /// marks as autostart those with a link in `autostartDir` that points at
    /// their config file. A file that fails to load does not stop the
    /// others.
    ///
    /// - Returns: the objects loaded, and the problems met, file by file.
    ///
    /// libvirt: `virDomainObjListLoadAllConfigs`.
    public func loadAllConfigs(configDir: String, autostartDir: String? = nil) -> (loaded: [DomainObj], failures: [(file: String, error: any Error)]) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: configDir) else { return ([], []) }
        var loaded: [DomainObj] = []
        var failures: [(String, any Error)] = []
        for file in names.sorted() where file.hasSuffix(".xml") {
            let path = configDir + "/" + file
            do {
                let text = try String(contentsOfFile: path, encoding: .utf8)
                let def = try DomainDef.parse(text, url: path)
                let expected = String(file.dropLast(4))
                if def.name != expected {
                    throw VirError.conf(.internalError, "Domain config filename '\(path)' does not match domain name '\(def.name)'")
                }
                let (obj, _) = try add(def)
                let auto = autostartDir.map { dir -> Bool in
                    guard let target = try? fm.destinationOfSymbolicLink(atPath: dir + "/" + file) else { return false }
                    let resolved = target.hasPrefix("/") ? target : dir + "/" + target
                    return URL(fileURLWithPath: resolved).standardizedFileURL.path == URL(fileURLWithPath: path).standardizedFileURL.path
                } ?? false
                obj.withLock { f in
                    f.persistent = true
                    f.autostart = auto
                }
                loaded.append(obj)
            } catch {
                failures.append((path, error))
            }
        }
        return (loaded, failures)
    }

    // MARK: remote tables (patch 2)

    /// Adds the incoming instance of a local migration: same name and UUID
    /// as a running source domain, at most one per UUID.
    ///
    /// - Parameter id: the incoming instance's own id, if known yet.
    public func addRemote(_ def: DomainDef, id: Int? = nil) throws(VirError) -> DomainObj {
        return try tables.withLock { t throws(VirError) -> DomainObj in
            guard let source = t.byUUID[def.uuid], !source.removing else {
                throw VirError.conf(.noDomain, "no domain with matching uuid '\(def.uuid)' (\(def.name))")
            }
            let (name, active) = source.withLock { ($0.name, $0.id != nil) }
            if name != def.name {
                throw VirError.conf(.operationFailed, "domain '\(name)' is already defined with uuid \(def.uuid)")
            }
            if !active {
                throw VirError.conf(.operationInvalid, "domain '\(name)' is not running")
            }
            if t.remoteByUUID[def.uuid] != nil {
                throw VirError.conf(.operationInvalid, "domain '\(name)' already has an incoming local migration")
            }
            let vm = DomainObj(def: def, privateData: makePrivateData(def))
            if let id { vm.withLock { $0.id = id } }
            t.remoteByUUID[def.uuid] = vm
            t.remoteByName[def.name] = vm
            return vm
        }
    }

    /// The incoming instance of a domain, by UUID.
    public func findRemote(byUUID uuid: DomainUUID) -> DomainObj? {
        tables.withLock { $0.remoteByUUID[uuid] }
    }

    /// The incoming instance of a domain, by name.
    public func findRemote(byName name: String) -> DomainObj? {
        tables.withLock { $0.remoteByName[name] }
    }

    /// All incoming instances.
    public func listRemote() -> [DomainObj] {
        tables.withLock { Array($0.remoteByUUID.values) }
    }

    /// Drops an incoming instance (a failed or cancelled migration).
    public func removeRemote(_ obj: DomainObj) {
        tables.withLock { t in
            guard t.remoteByUUID[obj.uuid] === obj else { return }
            obj.withLock { $0.removing = true }
            t.remoteByUUID[obj.uuid] = nil
            if let n = t.remoteByName.first(where: { $0.value === obj })?.key { t.remoteByName[n] = nil }
        }
    }

    // MARK: promotion (patch 6)

    /// After Confirm: the incoming instance replaces the source object in
    /// the source tables, in one step under the list's lock. When the
    /// source object is gone already (a transient domain whose source QEMU
    /// died after the switch-over), the incoming one simply takes its place.
    ///
    /// - Returns: the source object it replaced, now out of every table.
    @discardableResult
    public func promoteRemote(_ uuid: DomainUUID) throws(VirError) -> DomainObj? {
        return try tables.withLock { t throws(VirError) -> DomainObj? in
            guard let incoming = t.remoteByUUID[uuid] else {
                throw VirError.conf(.noDomain, "no incoming migration for domain with uuid '\(uuid)'")
            }
            let (name, id) = incoming.withLock { ($0.name, $0.id) }
            let source = t.byUUID[uuid]
            if let source {
                let (sourceName, sourceID) = source.withLock { f -> (String, Int?) in
                    f.removing = true
                    return (f.name, f.id)
                }
                if let sourceID, t.byID[sourceID] === source { t.byID[sourceID] = nil }
                if t.byName[sourceName] === source { t.byName[sourceName] = nil }
            } else if let other = t.byName[name] {
                throw VirError.conf(.operationFailed, "domain '\(name)' already exists with uuid \(other.uuid)")
            }
            t.byUUID[uuid] = incoming
            t.byName[name] = incoming
            if let id { t.byID[id] = incoming }
            t.remoteByUUID[uuid] = nil
            t.remoteByName[name] = nil
            return source
        }
    }
}
