import Foundation
import Testing
import TestSupport
import domain_conf
import libvirt_abi
import qemu_driver

/// Interfaces on a tap device: `bridge`, `network` (a network of libvirt's
/// own network driver, in Debian's libvirtd) and `ethernet`. Each instance
/// gets its own tap, a port of the bridge while its QEMU runs; both ends of
/// a local migration have one; nothing is left once the guest stops.
@Suite(.serialized) struct TapInterfaceTests {
    /// A Linux bridge for one test, removed at the end.
    final class Bridge {
        let name = "lmbr\(getpid() % 10_000)\(Int.random(in: 0..<100))"
        init() throws {
            let r = try Subprocess.run("/sbin/ip", ["link", "add", name, "type", "bridge"])
            #expect(r.status == 0, "ip link add: \(r)")
        }
        /// The bridge's ports.
        var ports: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net/\(name)/brif")) ?? []).sorted() }
        deinit {
            let r = try? Subprocess.run("/sbin/ip", ["link", "del", name])
            #expect(r?.status == 0, "ip link del \(name): \(String(describing: r))")
        }
    }

    static func tap(_ conn: QemuConnection, _ dom: DomainRef) throws -> String? {
        try DomainDef.parse(try conn.xmlDesc(dom)).interfaces.first?.targetDevice
    }

    func run(label: String, interface: String, bridge: Bridge) async throws {
        let root = TestRoot(label)
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "tap", disk: try CounterGuest.disk(in: root.path),
                                                            serialLog: root.path + "/serial.log", sharedMemory: true,
                                                            extraDevices: interface), validate: true)
        try await conn.create(dom)
        let first = try #require(try Self.tap(conn, dom), "the live XML names the tap")
        #expect(first.hasPrefix("vnet"))
        #expect(bridge.ports == [first], "the tap is the bridge's port")
        #expect(try DomainDef.parse(try conn.xmlDesc(dom, flags: .inactive)).interfaces.first?.targetDevice == nil,
                "the tap is the instance's, not the domain's")
        // domifstat's counters: the tap's host-side ones, the other way
        // round (what the host sends, the guest receives), by name or MAC.
        let stats = try conn.interfaceStats(dom, device: first)
        let line = try String(contentsOfFile: "/proc/net/dev", encoding: .utf8).split(separator: "\n")
            .first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(first + ":") }
        let host = try #require(line).split(separator: ":")[1].split(separator: " ").compactMap { Int64($0) }
        #expect(stats.count == 8 && host.count == 16)
        #expect(stats[0] >= host[8] && stats[4] >= host[0] && stats[2] == host[10] && stats[6] == host[2], "\(stats) \(host)")
        let mac = try #require(try DomainDef.parse(try conn.xmlDesc(dom)).interfaces.first?.mac)
        #expect(try conn.interfaceStats(dom, device: mac.uppercased())[6] == stats[6])
        #expect(throws: VirError.self) { try conn.interfaceStats(dom, device: "vnet9999") }
        // domstats --interface: the same tap and the same counters.
        let group = try #require(try await conn.allDomainStats([dom], stats: .interface, flags: 0).first).params
        func value(_ name: String) -> TypedParameter.Value? { group.first { $0.name == name }?.value }
        #expect(group.first?.name == "net.count" && value("net.count") == .uint(1))
        #expect(value("net.0.name") == .string(first))
        if case .ullong(let txDrop)? = value("net.0.tx.drop") { #expect(Int64(txDrop) == host[3]) } else { Issue.record("no net.0.tx.drop: \(group)") }
        #expect(group.count == 10, "count, name and eight counters: \(group)")

        let moved = try await conn.migrate3(dom, to: conn.driver.connect(), params: [], flags: [.live, .local])
        let second = try #require(try Self.tap(conn, moved))
        #expect(second != first, "the new instance has its own tap")
        #expect(try await Wait.until { bridge.ports == [second] }, "only the running instance's tap is on the bridge: \(bridge.ports)")
        try await conn.destroy(moved)
        #expect(try await Wait.until { bridge.ports.isEmpty }, "no tap is left")
        #expect(!FileManager.default.fileExists(atPath: "/sys/class/net/\(second)"))
    }

    @Test func aBridgeInterfaceGetsATapPerInstance() async throws {
        let bridge = try Bridge()
        try await run(label: "tapbr", interface: "<interface type='bridge'><source bridge='\(bridge.name)'/><model type='e1000'/></interface>",
                      bridge: bridge)
    }

    /// A network of libvirt's network driver, made with Debian's virsh.
    @Test func aNetworkInterfaceJoinsTheNetworksBridge() async throws {
        let reference = ReferenceLibvirtd.acquire()
        defer { reference?.release() }
        try #require(reference != nil, "Debian's libvirtd (libvirt-daemon-system) does not answer")
        let bridge = try Bridge()
        let net = "lmnet\(getpid() % 100_000)"
        let dir = TestRoot("tapnet")
        defer { #expect(dir.cleanup() == []) }
        let file = dir.path + "/net.xml"
        try "<network><name>\(net)</name><forward mode='bridge'/><bridge name='\(bridge.name)'/></network>"
            .write(toFile: file, atomically: true, encoding: .utf8)
        func virsh(_ args: String...) throws -> Subprocess.Result {
            try Subprocess.run(ReferenceLibvirtd.virsh, ["-c", ReferenceLibvirtd.uri] + args)
        }
        #expect(try virsh("net-define", file).status == 0)
        defer { #expect((try? virsh("net-undefine", net))?.status == 0, "net-undefine \(net)") }
        let interface = "<interface type='network'><source network='\(net)'/><model type='virtio'/></interface>"

        // Defined but not started, and not there at all: libvirt's words.
        let root = TestRoot("tapnet1")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        let inactive = try conn.defineXML(CounterGuest.domainXML(name: "inactive", disk: try CounterGuest.disk(in: root.path),
                                                                 serialLog: root.path + "/serial.log", extraDevices: interface))
        let notActive = await #expect(throws: VirError.self) { try await conn.create(inactive) }
        #expect(notActive?.message == "Requested operation is not valid: network '\(net)' is not active")
        let missing = try conn.defineXML(CounterGuest.domainXML(name: "missing", disk: try CounterGuest.disk(in: root.path, name: "m.img"),
                                                                serialLog: root.path + "/serial.log",
                                                                extraDevices: "<interface type='network'><source network='nosuch\(net)'/></interface>"))
        let notFound = await #expect(throws: VirError.self) { try await conn.create(missing) }
        #expect(notFound?.code == .noNetwork)
        #expect(notFound?.message == "Network not found: no network with matching name 'nosuch\(net)'")
        #expect(TestRoot.processes(mentioning: root.path + "/").isEmpty && bridge.ports.isEmpty)
        conn.driver.close()

        #expect(try virsh("net-start", net).status == 0)
        defer { #expect((try? virsh("net-destroy", net))?.status == 0, "net-destroy \(net)") }
        try await run(label: "tapnet2", interface: interface, bridge: bridge)
    }

    /// `ethernet` with a tap the definition names: the guest runs on it, and
    /// a local migration is refused (the name cannot be had twice).
    @Test func anEthernetInterfaceWithItsOwnTapRunsButCannotMigrateLocally() async throws {
        let root = TestRoot("tapeth")
        defer { #expect(root.cleanup() == []) }
        let conn = try await QemuDriver.connect(uri: root.uri)
        defer { conn.driver.close() }
        let name = "lmtap\(getpid() % 100_000)"
        let dom = try conn.defineXML(CounterGuest.domainXML(name: "eth", disk: try CounterGuest.disk(in: root.path),
                                                            serialLog: root.path + "/serial.log", sharedMemory: true,
                                                            extraDevices: "<interface type='ethernet'><target dev='\(name)' managed='yes'/><model type='virtio'/></interface>"))
        try await conn.create(dom)
        #expect(FileManager.default.fileExists(atPath: "/sys/class/net/\(name)"))
        #expect(try Self.tap(conn, dom) == name)
        let error = await #expect(throws: VirError.self) {
            try await conn.migrate3(dom, to: conn.driver.connect(), params: [], flags: [.live, .local])
        }
        let mac = try #require(try DomainDef.parse(try conn.xmlDesc(dom)).interfaces.first?.mac)
        #expect(error?.message == "Operation not supported: a local migration needs a tap device per instance: interface \(mac) uses tap '\(name)'; leave <target dev> out")
        #expect(try conn.state(dom) == .running(.booted))
        try await conn.destroy(dom)
        #expect(try await Wait.until { !FileManager.default.fileExists(atPath: "/sys/class/net/\(name)") }, "the tap went with its QEMU")
    }
}
