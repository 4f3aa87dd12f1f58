import Foundation
import Synchronization
import Testing
import domain_conf
import libvirt_abi
import virdomainobjlist

/// The series' remote tables (patch 2) and promotion (patch 6).
@Suite struct RemoteTablesTests {
    func runningSource(_ list: DomainObjList, _ name: String = "vm", id: Int = 1) throws -> (DomainObj, DomainDef) {
        let def = makeDef(name)
        let (obj, _) = try list.add(def)
        markRunning(list, obj, id: id)
        return (obj, def)
    }

    @Test func incomingInstanceSharesNameAndUUIDButNotLookups() throws {
        let list = DomainObjList()
        let (source, def) = try runningSource(list)
        let incoming = try list.addRemote(def, id: 2)
        #expect(incoming !== source)
        #expect(incoming.uuid == source.uuid && incoming.name == source.name)
        #expect(incoming.id == 2)
        // Ordinary lookups see only the source until promotion.
        #expect(list.findByUUID(def.uuid) === source)
        #expect(list.findByName("vm") === source)
        #expect(list.findByID(2) == nil)
        #expect(list.count() == 1)
        // The remote tables have their own lookups.
        #expect(list.findRemote(byUUID: def.uuid) === incoming)
        #expect(list.findRemote(byName: "vm") === incoming)
        #expect(list.listRemote().count == 1)
    }

    @Test func atMostOneIncomingPerUUID() throws {
        let list = DomainObjList()
        let (_, def) = try runningSource(list)
        _ = try list.addRemote(def, id: 2)
        let error = #expect(throws: VirError.self) { try list.addRemote(def, id: 3) }
        #expect(error?.code == .operationInvalid)
        #expect(error?.message == "Requested operation is not valid: domain 'vm' already has an incoming local migration")
    }

    @Test func refusedWhenSourceIsNotRunning() throws {
        let list = DomainObjList()
        let def = makeDef("vm")
        try list.add(def)
        let error = #expect(throws: VirError.self) { try list.addRemote(def) }
        #expect(error?.message == "Requested operation is not valid: domain 'vm' is not running")
    }

    /// A transient domain whose source QEMU died after the switch-over has
    /// no source object left: the incoming one takes its place.
    @Test func promotionWithoutASourceObject() throws {
        let list = DomainObjList()
        let (source, def) = try runningSource(list, id: 1)
        let incoming = try list.addRemote(def, id: 2)
        list.remove(source)
        #expect(try list.promoteRemote(def.uuid) == nil)
        #expect(list.findByUUID(def.uuid) === incoming)
        #expect(list.findByName("vm") === incoming)
        #expect(list.findByID(2) === incoming)
    }

    @Test func refusedWithoutSourceOrWithAnotherName() throws {
        let list = DomainObjList()
        let e1 = #expect(throws: VirError.self) { try list.addRemote(makeDef("ghost")) }
        #expect(e1?.code == .noDomain)
        let (_, def) = try runningSource(list)
        var renamed = def
        renamed.name = "other"
        let e2 = #expect(throws: VirError.self) { try list.addRemote(renamed) }
        #expect(e2?.message == "operation failed: domain 'vm' is already defined with uuid \(def.uuid)")
    }

    @Test func removeRemoteLeavesSourceAlone() throws {
        let list = DomainObjList()
        let (source, def) = try runningSource(list)
        let incoming = try list.addRemote(def, id: 2)
        list.removeRemote(incoming)
        #expect(list.findRemote(byUUID: def.uuid) == nil)
        #expect(list.findRemote(byName: "vm") == nil)
        #expect(list.findByUUID(def.uuid) === source)
        #expect(list.findByID(1) === source)
        // A new incoming instance may follow.
        _ = try list.addRemote(def, id: 3)
    }

    @Test func promotionReplacesTheSourceInOneStep() throws {
        let list = DomainObjList()
        let (source, def) = try runningSource(list, id: 1)
        source.withLock { $0.persistent = true }
        let incoming = try list.addRemote(def)
        list.assignID(incoming, 2)
        #expect(list.findByID(2) == nil, "an incoming id is not a source id before promotion")
        incoming.setState(.running(.migrated))

        let old = try list.promoteRemote(def.uuid)
        #expect(old === source)
        #expect(source.removing)
        #expect(list.findByUUID(def.uuid) === incoming)
        #expect(list.findByName("vm") === incoming)
        #expect(list.findByID(2) === incoming)
        #expect(list.findByID(1) == nil)
        #expect(list.findRemote(byUUID: def.uuid) == nil)
        #expect(list.count() == 1)
        #expect(list.activeIDs() == [2])

        let error = #expect(throws: VirError.self) { try list.promoteRemote(def.uuid) }
        #expect(error?.code == .noDomain)
    }

    /// Readers looking the domain up by name, UUID and id, and listing all
    /// domains, while the migration adds, promotes and drops instances:
    /// none ever misses the domain or sees it twice.
    @Test func concurrentReadersNeverMissOrDoubleCount() throws {
        let list = DomainObjList()
        let (first, def) = try runningSource(list, id: 1)
        for i in 0..<200 { try list.add(makeDef("bystander-\(i)")) }
        let uuid = def.uuid
        _ = first
        final class Shared: Sendable {
            let done = Atomic<Bool>(false)
            let anomalies = Atomic<Int>(0)
            let reads = Atomic<Int>(0)
        }
        let shared = Shared()

        // Readers on their own threads: the cooperative pool has one
        // thread per core, and spinning readers there would starve the writer.
        let finished = DispatchGroup()
        for _ in 0..<3 {
            finished.enter()
            Thread.detachNewThread {
                defer { finished.leave() }
                while !shared.done.load(ordering: .acquiring) {
                    let byUUID = list.findByUUID(uuid)
                    let byName = list.findByName("vm")
                    let all = list.list().filter { $0.uuid == uuid }
                    if byUUID == nil || byName == nil || all.count != 1 { shared.anomalies.add(1, ordering: .relaxed) }
                    // Exactly one running instance is indexed by id at any moment.
                    if list.activeIDs().count != 1 { shared.anomalies.add(1, ordering: .relaxed) }
                    if let id = byUUID?.id, let found = list.findByID(id), found !== byUUID { shared.anomalies.add(1, ordering: .relaxed) }
                    shared.reads.add(1, ordering: .relaxed)
                }
            }
        }
        defer { shared.done.store(true, ordering: .releasing); finished.wait() }
        for round in 0..<5000 {
            let newID = round + 2
            let incoming = try list.addRemote(def)
            list.assignID(incoming, newID)
            incoming.setState(.running(.migrated))
            if round % 10 == 9 {
                // A failed migration: the incoming instance is dropped.
                list.removeRemote(incoming)
                continue
            }
            let old = try #require(try list.promoteRemote(uuid))
            list.clearID(old)
        }
        shared.done.store(true, ordering: .releasing)
        finished.wait()
        #expect(shared.anomalies.load(ordering: .relaxed) == 0)
        #expect(shared.reads.load(ordering: .relaxed) > 100)
        #expect(list.count() == 201)
    }
}
