import Foundation
import Testing
import TestSupport
import libvirt_abi
import remote

/// The connection procedures as libvirt's client library calls them, over
/// our own client.
@Suite(.serialized) struct ConnectionTests {
    @Test func handshakeAndConnectionFacts() throws {
        let root = TestRoot("conn")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let c = try RemoteClient(socketPath: daemon.socket)
        defer { c.close() }
        #expect(try c.call(RemoteCalls.AuthList.self, XDRVoid()).types == [AuthListRet.none])
        // Keepalive is answered before the connection is open; anything else needs it open.
        #expect(try c.call(RemoteCalls.ConnectSupportsFeature.self, IntValue(10)).value == 1)
        #expect(throws: RemoteError.self) { try c.call(RemoteCalls.ConnectGetURI.self, XDRVoid()) }
        // Only the QEMU driver lives here.
        do {
            try c.call(RemoteCalls.ConnectOpen.self, ConnectOpenArgs(name: "lxc:///system"))
            Issue.record("lxc:/// was opened")
        } catch {
            #expect(error.message == "no connection driver available for lxc:///system")
        }
        try c.call(RemoteCalls.ConnectOpen.self, ConnectOpenArgs(name: "qemu:///system"))
        do {
            try c.call(RemoteCalls.ConnectOpen.self, ConnectOpenArgs(name: "qemu:///system"))
            Issue.record("opened twice")
        } catch {
            #expect(error.message == "internal error: connection already open")
        }
        #expect(try c.call(RemoteCalls.ConnectGetURI.self, XDRVoid()).value == "qemu:///system")
        #expect(try c.call(RemoteCalls.ConnectGetType.self, XDRVoid()).value == "QEMU")
        #expect(try c.call(RemoteCalls.ConnectGetLibVersion.self, XDRVoid()).value == 9_000_000)
        #expect(try c.call(RemoteCalls.ConnectGetVersion.self, XDRVoid()).value >= 7_000_000)
        #expect(try !c.call(RemoteCalls.ConnectGetHostname.self, XDRVoid()).value.isEmpty)
        #expect(try c.call(RemoteCalls.ConnectIsSecure.self, XDRVoid()).value == 1)
        #expect(try c.call(RemoteCalls.ConnectGetCapabilities.self, XDRVoid()).value.contains("<uuid>"))
        #expect(try c.call(RemoteCalls.NodeGetInfo.self, XDRVoid()).cpus >= 1)
        // What the QEMU driver supports (qemuConnectSupportsFeature): migration v3 with params, p2p; not direct, not v1.
        for (feature, supported) in [(13, 1), (6, 1), (4, 1), (7, 1), (14, 1), (15, 1), (5, 0), (1, 0), (999, 0)] as [(Int32, Int32)] {
            #expect(try c.call(RemoteCalls.ConnectSupportsFeature.self, IntValue(feature)).value == supported, "feature \(feature)")
        }
    }

    @Test func readOnlyConnectionsCannotChangeAnything() throws {
        let root = TestRoot("ro")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let rw = try daemon.client()
        defer { rw.close() }
        let disk = try CounterGuest.disk(in: root.path)
        let xml = CounterGuest.domainXML(name: "vm", disk: disk, serialLog: root.path + "/serial.log")
        let dom = try rw.call(RemoteCalls.DomainDefineXMLFlags.self, StringFlagsArgs(xml, flags: 1)).dom
        #expect(dom.id == -1)

        let ro = try RemoteClient(socketPath: daemon.socket)
        defer { ro.close() }
        try ro.open(flags: 1)
        #expect(try ro.call(RemoteCalls.DomainLookupByName.self, StringValue("vm")).dom == dom)
        do {
            try ro.call(RemoteCalls.DomainCreate.self, DomainArgs(dom: dom))
            Issue.record("a read-only connection started a domain")
        } catch {
            #expect(error.code == .operationDenied)
            #expect(error.message == "operation forbidden: read only access prevents virDomainCreate")
        }
        // Unknown flags get libvirt's message.
        do {
            try rw.call(RemoteCalls.DomainDestroyFlags.self, DomainFlagsArgs(dom: dom, flags: 0x100))
            Issue.record("unknown flags accepted")
        } catch {
            #expect(error.message == "unsupported flags (0x100) in function qemuDomainDestroyFlags")
        }
        // Driver errors reach the client as the driver wrote them.
        do {
            try rw.call(RemoteCalls.DomainLookupByName.self, StringValue("nosuch"))
            Issue.record("found a domain that does not exist")
        } catch {
            #expect(error.code == .noDomain)
            #expect(error.domain == .qemu)
            #expect(error.message == "Domain not found: no domain with matching name 'nosuch'")
        }
        try rw.call(RemoteCalls.DomainUndefineFlags.self, DomainFlagsArgs(dom: dom))
        #expect(try rw.call(RemoteCalls.ConnectListAllDomains.self, ConnectListAllDomainsArgs()).count == 0)
    }
}
