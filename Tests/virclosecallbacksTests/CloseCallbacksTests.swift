import Synchronization
import Testing
import domain_conf
import libvirt_abi
import virclosecallbacks
import virdomainobjlist

/// Calls the callbacks made, in order.
final class Calls: Sendable {
    private let calls = Mutex<[String]>([])
    func add(_ s: String) { calls.withLock { $0.append(s) } }
    var all: [String] { calls.withLock { $0 } }
}

/// libvirt 6.0's design, reduced to what matters here: one callback per
/// domain UUID. Kept only to show what goes wrong in a local migration.
struct UUIDKeyedCloseCallbacks {
    var table: [DomainUUID: (connection: Int, kind: String)] = [:]

    /// libvirt 6.0's `virCloseCallbacksSet`: a second callback for the same
    /// UUID from the same connection replaces the first (it refuses one
    /// from another connection).
    mutating func set(_ uuid: DomainUUID, connection: Int, kind: String) -> Bool {
        if let e = table[uuid], e.connection != connection { return false }
        table[uuid] = (connection, kind)
        return true
    }
}

@Suite struct CloseCallbacksTests {
    static func runningPair() throws -> (DomainObjList, DomainObj, DomainObj) {
        let list = DomainObjList()
        let def = DomainDef(name: "vm", virtType: "qemu", memoryKiB: 16384)
        let (source, _) = try list.add(def)
        list.assignID(source, 1)
        source.setState(.running(.booted))
        let incoming = try list.addRemote(def, id: 2)
        return (list, source, incoming)
    }

    /// The UUID-keyed design loses one of the two callbacks a local
    /// migration needs; the per-instance one keeps both.
    @Test func perUUIDLosesACallbackPerInstanceKeepsBoth() async throws {
        let (list, source, incoming) = try Self.runningPair()

        // Peer-to-peer: one connection drives both sides.
        var old = UUIDKeyedCloseCallbacks()
        let a = old.set(source.uuid, connection: 7, kind: "migration-source")
        let b = old.set(incoming.uuid, connection: 7, kind: "migration-incoming")
        #expect(a && b)
        #expect(old.table.count == 1, "the source's cleanup callback was replaced")
        // Two connections: the destination's registration is refused.
        var old2 = UUIDKeyedCloseCallbacks()
        let c = old2.set(source.uuid, connection: 7, kind: "migration-source")
        let d = old2.set(incoming.uuid, connection: 8, kind: "migration-incoming")
        #expect(c && !d)
        #expect(old2.table.count == 1)

        let callbacks = CloseCallbacks()
        let calls = Calls()
        try callbacks.set(CloseCallbackInstance(uuid: source.uuid, id: 1), connection: 7, kind: .migration, name: "vm") { obj, c in
            calls.add("source \(obj.id ?? -1) conn \(c)")
        }
        try callbacks.set(CloseCallbackInstance(uuid: incoming.uuid, id: 2), connection: 7, kind: .migration, name: "vm") { obj, c in
            calls.add("incoming \(obj.id ?? -1) conn \(c)")
        }
        #expect(callbacks.count == 2)
        await callbacks.run(connection: 7, domains: list)
        // Each ran on its own instance, found in the table it lives in.
        #expect(calls.all == ["source 1 conn 7", "incoming 2 conn 7"])
        #expect(callbacks.count == 0)
    }

    @Test func twoConnectionsEachRunTheirOwn() async throws {
        let (list, source, incoming) = try Self.runningPair()
        let callbacks = CloseCallbacks()
        let calls = Calls()
        let src = CloseCallbackInstance(uuid: source.uuid, id: 1)
        let dst = CloseCallbackInstance(uuid: incoming.uuid, id: 2)
        try callbacks.set(src, connection: 1, kind: .migration, name: "vm") { _, _ in calls.add("source") }
        try callbacks.set(dst, connection: 2, kind: .migration, name: "vm") { _, _ in calls.add("incoming") }
        #expect(callbacks.connection(of: src) == 1)
        #expect(callbacks.connection(of: dst) == 2)
        #expect(callbacks.get(src, connection: 1) == .migration)
        #expect(callbacks.get(src, connection: 2) == nil)
        #expect(callbacks.get(dst) == .migration)
        await callbacks.run(connection: 2, domains: list)
        #expect(calls.all == ["incoming"])
        #expect(callbacks.get(src) == .migration, "the other connection's callback stays")
        await callbacks.run(connection: 1, domains: list)
        #expect(calls.all == ["incoming", "source"])
    }

    @Test func libvirtsMessagesForMisuse() throws {
        let (_, source, _) = try Self.runningPair()
        let callbacks = CloseCallbacks()
        let instance = CloseCallbackInstance(uuid: source.uuid, id: 1)
        try callbacks.set(instance, connection: 1, kind: .autodestroy, name: "vm") { _, _ in }
        let other = #expect(throws: VirError.self) {
            try callbacks.set(instance, connection: 26, kind: .autodestroy, name: "vm") { _, _ in }
        }
        #expect(other?.message == "internal error: Close callback for domain vm already registered with another connection 0x1")
        let another = #expect(throws: VirError.self) {
            try callbacks.set(instance, connection: 1, kind: .migration, name: "vm") { _, _ in }
        }
        #expect(another?.message == "internal error: Another close callback is already defined for domain vm")
        let mismatch = #expect(throws: VirError.self) { try callbacks.unset(instance, kind: .migration, name: "vm") }
        #expect(mismatch?.message == "internal error: Trying to remove mismatching close callback for domain vm")
        try callbacks.unset(instance, kind: .autodestroy, name: "vm")
        #expect(callbacks.count == 0)
    }

    @Test func instancesThatAreGoneAreSkipped() async throws {
        let (list, source, incoming) = try Self.runningPair()
        let callbacks = CloseCallbacks()
        let calls = Calls()
        try callbacks.set(CloseCallbackInstance(uuid: source.uuid, id: 1), connection: 1, kind: .migration, name: "vm") { _, _ in calls.add("source") }
        try callbacks.set(CloseCallbackInstance(uuid: incoming.uuid, id: 2), connection: 1, kind: .migration, name: "vm") { _, _ in calls.add("incoming") }
        // The incoming instance was promoted: it is now found in the source
        // tables under its own id; the old source instance is gone.
        try list.promoteRemote(source.uuid)
        await callbacks.run(connection: 1, domains: list)
        #expect(calls.all == ["incoming"])
    }
}
