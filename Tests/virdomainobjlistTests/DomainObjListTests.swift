import Foundation
import Testing
import domain_conf
import libvirt_abi
import virdomainobjlist

func makeDef(_ name: String, uuid: String? = nil) -> DomainDef {
    DomainDef(name: name, uuid: uuid.flatMap(DomainUUID.init) ?? .generate(), virtType: "qemu", memoryKiB: 16384)
}

/// Starts an object the way the driver does: live id, running state.
func markRunning(_ list: DomainObjList, _ obj: DomainObj, id: Int) {
    list.assignID(obj, id)
    obj.setState(.running(.booted))
}

@Suite struct DomainObjListTests {
    @Test func addAndFindByUUIDNameAndID() throws {
        let list = DomainObjList()
        let def = makeDef("alpha")
        let (obj, old) = try list.add(def)
        #expect(old == nil)
        #expect(list.findByUUID(def.uuid) === obj)
        #expect(list.findByName("alpha") === obj)
        #expect(list.findByID(1) == nil, "inactive domains have no id")
        markRunning(list, obj, id: 1)
        #expect(list.findByID(1) === obj)
        #expect(obj.def.id == 1)
        #expect(obj.isActive)
        #expect(list.findByName("beta") == nil)
        #expect(list.findByUUID(.generate()) == nil)
    }

    @Test func sameUUIDDifferentNameIsRefused() throws {
        let list = DomainObjList()
        let def = makeDef("alpha", uuid: "c7a5fdbd-edaf-9455-926a-d65c16db1809")
        try list.add(def)
        var other = def
        other.name = "beta"
        let error = #expect(throws: VirError.self) { try list.add(other) }
        #expect(error?.code == .operationFailed)
        #expect(error?.message == "operation failed: domain 'alpha' is already defined with uuid c7a5fdbd-edaf-9455-926a-d65c16db1809")
    }

    @Test func sameNameDifferentUUIDIsRefused() throws {
        let list = DomainObjList()
        try list.add(makeDef("alpha", uuid: "c7a5fdbd-edaf-9455-926a-d65c16db1809"))
        let error = #expect(throws: VirError.self) { try list.add(makeDef("alpha")) }
        #expect(error?.message == "operation failed: domain 'alpha' already exists with uuid c7a5fdbd-edaf-9455-926a-d65c16db1809")
    }

    @Test func checkLiveRefusesActiveAndStarting() throws {
        let list = DomainObjList()
        let def = makeDef("alpha")
        let (obj, _) = try list.add(def)
        obj.withLock { $0.persistent = true }
        markRunning(list, obj, id: 3)
        let e1 = #expect(throws: VirError.self) { try list.add(def, flags: [.checkLive, .live]) }
        #expect(e1?.code == .operationInvalid)
        #expect(e1?.message == "Requested operation is not valid: domain 'alpha' is already active")

        list.clearID(obj)
        obj.withLock { $0.persistent = false }
        let e2 = #expect(throws: VirError.self) { try list.add(def, flags: [.checkLive, .live]) }
        #expect(e2?.message == "Requested operation is not valid: domain 'alpha' is already being started")
    }

    @Test func redefiningReplacesDefinitionWithLibvirtsRules() throws {
        let list = DomainObjList()
        var def = makeDef("alpha")
        let (obj, _) = try list.add(def)
        obj.withLock { $0.persistent = true }

        // Inactive: the new definition replaces the old one, which is returned.
        def.vcpus = 2
        let (same, old) = try list.add(def)
        #expect(same === obj)
        #expect(old?.vcpus == 1)
        #expect(obj.def.vcpus == 2)

        // Running: the new definition waits as the pending persistent one.
        markRunning(list, obj, id: 4)
        def.vcpus = 4
        let (_, old2) = try list.add(def)
        #expect(old2 == nil)
        #expect(obj.def.vcpus == 2, "the live definition is untouched")
        #expect(obj.persistentDef.vcpus == 4)
        #expect(obj.withLock { $0.newDef?.vcpus } == 4)

        // Starting with a live definition keeps the persistent one aside.
        list.clearID(obj)
        obj.withLock { $0.newDef = nil }
        def.vcpus = 8
        try list.add(def, flags: .live)
        #expect(obj.def.vcpus == 8)
        #expect(obj.withLock { $0.newDef?.vcpus } == 2)
    }

    @Test func removedObjectsAreGoneAndRefuseReadd() throws {
        let list = DomainObjList()
        let def = makeDef("alpha")
        let (obj, _) = try list.add(def)
        markRunning(list, obj, id: 9)
        list.remove(obj)
        #expect(obj.removing)
        #expect(list.findByUUID(def.uuid) == nil)
        #expect(list.findByName("alpha") == nil)
        #expect(list.findByID(9) == nil)
        #expect(list.count() == 0)
        // A fresh add after removal creates a new object.
        let (again, _) = try list.add(def)
        #expect(again !== obj)
    }

    @Test func rename() throws {
        let list = DomainObjList()
        let (obj, _) = try list.add(makeDef("alpha"))
        try list.add(makeDef("beta"))

        let self1 = #expect(throws: VirError.self) { try list.rename(obj, to: "alpha") }
        #expect(self1?.message == "Requested operation is not valid: Can't rename domain to itself")
        let taken = #expect(throws: VirError.self) { try list.rename(obj, to: "beta") }
        #expect(taken?.message == "Requested operation is not valid: domain with name 'beta' already exists")
        #expect(throws: VirError.self) { try list.rename(obj, to: "a/b") }

        struct Veto: Error {}
        #expect(throws: Veto.self) { try list.rename(obj, to: "gamma") { _, _ in throw Veto() } }
        #expect(list.findByName("alpha") === obj, "a failed callback leaves the old name")
        #expect(list.findByName("gamma") == nil)

        var seen = ""
        try list.rename(obj, to: "gamma") { _, n in seen = n }
        #expect(seen == "gamma")
        #expect(list.findByName("gamma") === obj)
        #expect(list.findByName("alpha") == nil)
        #expect(obj.name == "gamma")
    }

    @Test func filtersFollowLibvirt() throws {
        let list = DomainObjList()
        func add(_ name: String, persistent: Bool, autostart: Bool = false, state: DomainStateReason?, id: Int?) throws {
            let (obj, _) = try list.add(makeDef(name))
            obj.withLock { f in
                f.persistent = persistent
                f.autostart = autostart
            }
            if let id { list.assignID(obj, id) }
            if let state { obj.setState(state) }
        }
        try add("run-persistent", persistent: true, autostart: true, state: .running(.booted), id: 1)
        try add("run-transient", persistent: false, state: .running(.booted), id: 2)
        try add("paused", persistent: true, state: .paused(.user), id: 3)
        try add("off", persistent: true, state: nil, id: nil)
        try add("crashed", persistent: true, state: .crashed(.panicked), id: 5)

        func names(_ f: ListAllDomainsFlags) -> [String] { list.names(f) }
        #expect(names([]) == ["crashed", "off", "paused", "run-persistent", "run-transient"])
        #expect(names(.active) == ["crashed", "paused", "run-persistent", "run-transient"])
        #expect(names(.inactive) == ["off"])
        #expect(names([.active, .inactive]).count == 5)
        #expect(names(.persistent) == ["crashed", "off", "paused", "run-persistent"])
        #expect(names(.transient) == ["run-transient"])
        #expect(names(.running) == ["run-persistent", "run-transient"])
        #expect(names(.paused) == ["paused"])
        #expect(names(.shutoff) == ["off"])
        #expect(names(.other) == ["crashed"])
        #expect(names([.running, .paused]) == ["paused", "run-persistent", "run-transient"])
        #expect(names([.active, .persistent]) == ["crashed", "paused", "run-persistent"])
        #expect(names(.autostart) == ["run-persistent"])
        #expect(names(.noAutostart).count == 4)
        #expect(names(.managedSave).isEmpty)
        #expect(names(.noSnapshot).count == 5)
        #expect(list.count(.active) == 4)
        #expect(list.activeIDs() == [1, 2, 3, 5])
    }

    @Test func loadAllConfigs() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("objlist-\(UUID().uuidString)")
        let config = dir.appendingPathComponent("qemu").path
        let autostart = dir.appendingPathComponent("qemu/autostart").path
        try FileManager.default.createDirectory(atPath: autostart, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        for name in ["one", "two", "three"] {
            try makeDef(name).format(.inactive).write(toFile: "\(config)/\(name).xml", atomically: true, encoding: .utf8)
        }
        try "<domain type='qemu'><name>broken".write(toFile: "\(config)/broken.xml", atomically: true, encoding: .utf8)
        try makeDef("misnamed").format(.inactive).write(toFile: "\(config)/other.xml", atomically: true, encoding: .utf8)
        try "not xml".write(toFile: "\(config)/notes.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: "\(autostart)/two.xml", withDestinationPath: "\(config)/two.xml")
        try FileManager.default.createSymbolicLink(atPath: "\(autostart)/three.xml", withDestinationPath: "/nonexistent/three.xml")

        let list = DomainObjList()
        let (loaded, failures) = list.loadAllConfigs(configDir: config, autostartDir: autostart)
        #expect(loaded.map(\.name).sorted() == ["one", "three", "two"])
        #expect(failures.map { ($0.file as NSString).lastPathComponent }.sorted() == ["broken.xml", "other.xml"])
        #expect(list.findByName("two")?.autostart == true)
        #expect(list.findByName("three")?.autostart == false, "a link elsewhere is not autostart")
        #expect(list.findByName("one")?.persistent == true)
        #expect(list.names(.persistent) == ["one", "three", "two"])
    }
}
