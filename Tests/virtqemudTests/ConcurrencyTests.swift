import Foundation
import Synchronization
import Testing
import TestSupport
import domain_conf
import remote

/// Many clients at once, for a while, with a VM running.
@Suite(.serialized) struct ConcurrencyTests {
    @Test func fiftyClientsListAndQueryForThirtySeconds() async throws {
        let root = TestRoot("conc")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let serial = try PythonMigrationTests.startCounterGuest(daemon)
        let pid = try #require(daemon.qemuProcesses.first)

        let calls = Atomic<Int>(0)
        let failures = Mutex<[String]>([])
        let deadline = ContinuousClock.now + .seconds(30)
        let threads = (0..<50).map { i in
            Thread {
                do {
                    let c = try daemon.client()
                    defer { c.close() }
                    while ContinuousClock.now < deadline {
                        let list = try c.call(RemoteCalls.ConnectListAllDomains.self, ConnectListAllDomainsArgs(flags: 0))
                        guard list.count == 1, let dom = list.domains.first, dom.name == "vm", dom.id == 1 else {
                            failures.withLock { $0.append("client \(i): listed \(list.domains)") }
                            return
                        }
                        let byName = try c.call(RemoteCalls.DomainLookupByName.self, StringValue("vm")).dom
                        let byUUID = try c.call(RemoteCalls.DomainLookupByUUID.self, UUIDArgs(dom.uuid)).dom
                        let info = try c.call(RemoteCalls.DomainGetInfo.self, DomainArgs(dom: byName))
                        let state = try c.call(RemoteCalls.DomainGetState.self, DomainFlagsArgs(dom: byUUID))
                        if i % 10 == 0 {
                            _ = try c.call(RemoteCalls.DomainGetXMLDesc.self, DomainFlagsArgs(dom: dom))
                        }
                        guard byName == dom, byUUID == dom, info.state == 1, state.state == 1 else {
                            failures.withLock { $0.append("client \(i): \(byName) \(byUUID) \(info) \(state)") }
                            return
                        }
                        calls.wrappingAdd(5, ordering: .relaxed)
                    }
                } catch {
                    failures.withLock { $0.append("client \(i): \(error)") }
                }
            }
        }
        threads.forEach { $0.start() }
        // virsh clients too, meanwhile.
        var virshRuns = 0
        while ContinuousClock.now < deadline {
            let r = try Command.virsh(daemon.uri, "list", "--all")
            #expect(r.status == 0 && r.stdout.contains(" 1    vm     running"), "\(r)")
            virshRuns += 1
        }
        try await Task.sleep(for: .seconds(3))
        let failed = failures.withLock { $0 }
        #expect(failed.isEmpty, "\(failed.prefix(5))")
        let total = calls.load(ordering: .relaxed)
        print("50 clients, 30 s: \(total) calls (\(total / 30)/s), \(virshRuns) virsh list runs")
        #expect(total > 50 * 5)
        #expect(daemon.isRunning)
        #expect(daemon.qemuProcesses == [pid])
        let counter = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: counter + 3))
        // Every client is gone from the daemon.
        let c = try daemon.client()
        c.close()
    }

    @Test func eventsAreDeliveredToTheRegisteringClientOnly() throws {
        let root = TestRoot("events")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let received = Mutex<[DomainEventCallbackLifecycleMsg]>([])
        let listener = try daemon.client { m in
            if m.header.procedure == RemoteProcedure.domainEventCallbackLifecycle.rawValue,
               let e = try? m.decode(DomainEventCallbackLifecycleMsg.self) {
                received.withLock { $0.append(e) }
            }
        }
        let id = try listener.call(RemoteCalls.ConnectDomainEventCallbackRegisterAny.self, EventCallbackRegisterAnyArgs(eventID: 0)).value
        let other = try daemon.client()
        _ = try PythonMigrationTests.startCounterGuest(daemon)
        let dom = try other.call(RemoteCalls.DomainLookupByName.self, StringValue("vm")).dom
        try other.call(RemoteCalls.DomainDestroy.self, DomainArgs(dom: dom))
        let destroyed = "\(id):vm:5:1"
        func events() -> [String] { received.withLock { $0 }.map { "\($0.callbackID):\($0.dom.name):\($0.event):\($0.detail)" } }
        _ = Wait.untilBlocking { events().last == destroyed }
        // defined/added first, started/booted (the driver also reports
        // resumed/unpaused as QEMU's CPUs start, as libvirt does), stopped/destroyed last.
        let seen = events()
        #expect(seen.first == "\(id):vm:0:0", "\(seen)")
        #expect(seen.contains("\(id):vm:2:0"), "\(seen)")
        #expect(seen.last == destroyed, "\(seen)")
        let count = seen.count
        // Deregistered: no more events; an unknown id is refused.
        try listener.call(RemoteCalls.ConnectDomainEventCallbackDeregisterAny.self, IntValue(id))
        #expect(throws: RemoteError.self) {
            try listener.call(RemoteCalls.ConnectDomainEventCallbackDeregisterAny.self, IntValue(id))
        }
        try other.call(RemoteCalls.DomainCreate.self, DomainArgs(dom: dom))
        usleep(300_000)
        #expect(received.withLock { $0.count } == count)
        listener.close()
        other.close()
    }
}
