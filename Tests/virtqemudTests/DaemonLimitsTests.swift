import Foundation
import Glibc
import Testing
import TestSupport
import libvirt_abi
import remote
import virutil

/// The daemon within libvirt's limits: many connections, clients that
/// stall, never read, never answer keepalive or flood it with event
/// registrations are dropped or refused, while a well-behaved client is
/// answered throughout and the daemon's memory stays bounded (the figures
/// are printed).
@Suite(.serialized) struct DaemonLimitsTests {
    /// The daemon's resident memory (VmRSS), in KiB.
    static func rss(_ pid: pid_t) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return -1 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }

    static func descriptors(_ pid: pid_t) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
    }

    /// A daemon with `conf` as its virtqemud.conf.
    static func daemon(_ root: TestRoot, _ conf: String) throws -> VirtqemudProcess {
        let path = root.path + "/virtqemud.conf"
        try conf.write(toFile: path, atomically: false, encoding: .utf8)
        return try VirtqemudProcess(root: root, extraArgs: ["--config", path])
    }

    /// The well-behaved client answers, each call within a generous bound.
    static func answers(_ c: RemoteClient) -> Bool {
        (try? c.call(RemoteCalls.ConnectListAllDomains.self, ConnectListAllDomainsArgs(), timeout: .seconds(30))) != nil
    }

    /// A call of the remote program, as a client writes it.
    static func call(_ procedure: RemoteProcedure, serial: UInt32, type: MessageType = .call,
                     payload: [UInt8] = []) -> RemoteMessage {
        RemoteMessage(header: MessageHeader(program: RemoteProgram.remote, version: 1, procedure: procedure.rawValue,
                                            type: type, serial: serial), payload: payload)
    }

    /// Opens the driver on a raw stream, as `RemoteClient.open` does, but
    /// without asking for keepalive.
    static func rawOpen(_ path: String) throws -> UnixStream {
        let s = try UnixStream.connect(path: path)
        var tv = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        try s.writeMessage(call(.connectOpen, serial: 1, payload: try ConnectOpenArgs(name: "qemu:///system").xdrBytes()))
        guard let r = try s.readMessage(), r.header.status == .ok else { throw RemoteError(.rpc, "open refused") }
        return s
    }

    /// Whether the daemon closed `s` within `timeout` (reads until end of file).
    static func closedByDaemon(_ s: UnixStream, within timeout: Duration) -> Bool {
        var tv = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(s.fd, $0.baseAddress, $0.count) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    static func raiseDescriptorLimit() {
        var rl = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)
        rl.rlim_cur = rl.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl)
    }

    @Test func aThousandConnectionsAreServedAndTheDaemonStaysResponsive() throws {
        Self.raiseDescriptorLimit()
        let root = TestRoot("lim-1k")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        defer { daemon.stop() }
        let pid = daemon.process.processIdentifier
        let good = try daemon.client()
        defer { good.close() }
        let before = Self.rss(pid)

        var clients: [RemoteClient] = []
        var slowest: Duration = .zero
        for i in 0..<1000 {
            let c = try RemoteClient(socketPath: daemon.socket)
            try c.open()
            clients.append(c)
            if i % 100 == 99 {
                let t0 = ContinuousClock.now
                #expect(Self.answers(good))
                slowest = max(slowest, ContinuousClock.now - t0)
            }
        }
        // Every one of them is served.
        for c in clients.shuffled().prefix(50) {
            #expect(try c.call(RemoteCalls.ConnectGetHostname.self, XDRVoid()).value.isEmpty == false)
        }
        let with = Self.rss(pid)
        for c in clients { c.disconnect() }
        clients = []
        #expect(Wait.untilBlocking(timeout: .seconds(60)) { Self.descriptors(pid) < 100 })
        #expect(Self.answers(good))
        let after = Self.rss(pid)
        print("figures: 1000 connections: virtqemud RSS \(before) KiB before, \(with) KiB with them (\((with - before) / 1000) KiB each), \(after) KiB after; slowest answer to the other client \(slowest)")
        // Bounded: well under a megabyte per connection.
        #expect(with - before < 1000 * 1024)
    }

    @Test func aClientThatNeverOpensOrStopsHalfWayThroughAMessageIsDropped() throws {
        let root = TestRoot("lim-half")
        defer { #expect(root.cleanup() == []) }
        let daemon = try Self.daemon(root, "handshake_timeout = 2\n")
        defer { daemon.stop() }
        let good = try daemon.client()
        defer { good.close() }

        // Connects and says nothing.
        let silent = try UnixStream.connect(path: daemon.socket)
        defer { silent.close() }
        // Opens, then sends the length word and a few bytes of a call.
        let half = try Self.rawOpen(daemon.socket)
        defer { half.close() }
        try half.write([0, 0, 0, 40, 0x20, 0x00])
        let t0 = ContinuousClock.now
        #expect(Self.answers(good))
        #expect(Self.closedByDaemon(silent, within: .seconds(60)))
        #expect(Self.closedByDaemon(half, within: .seconds(60)))
        let took = ContinuousClock.now - t0
        #expect(took >= .seconds(1))  // not at once: after the timeout
        #expect(Self.answers(good))
        #expect(daemon.log.contains("dropping client: it did not open a connection within 2 seconds"))
        #expect(daemon.log.contains("dropping client: it sent part of a message and nothing more for 2 seconds"))
        // An opened client that is merely idle stays.
        let idle = try Self.rawOpen(daemon.socket)
        defer { idle.close() }
        Thread.sleep(forTimeInterval: 3)
        try idle.writeMessage(Self.call(.connectGetHostname, serial: 2))
        #expect(try idle.readMessage()?.header.status == .ok)
    }

    @Test func aClientThatStopsAnsweringKeepaliveIsDroppedAndOneThatAnswersStays() throws {
        let root = TestRoot("lim-ka")
        defer { #expect(root.cleanup() == []) }
        let daemon = try Self.daemon(root, "keepalive_interval = 1\nkeepalive_count = 2\n")
        defer { daemon.stop() }
        // Answers pings (RemoteClient does, as libvirt's client does).
        let good = try daemon.client()
        defer { good.close() }
        // Asks for keepalive, then falls silent.
        let mute = try Self.rawOpen(daemon.socket)
        defer { mute.close() }
        try mute.writeMessage(Self.call(.connectSupportsFeature, serial: 2, payload: try IntValue(10).xdrBytes()))
        #expect(try mute.readMessage()?.header.status == .ok)
        // It is pinged, twice, then dropped (about 3 seconds).
        var pings = 0
        var tv = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(mute.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        while let m = try? mute.readMessage() {
            if m.header.program == RemoteProgram.keepalive && m.header.procedure == KeepaliveProcedure.ping.rawValue { pings += 1 }
        }
        #expect(pings == 2)
        #expect(daemon.log.contains("dropping client: connection closed due to keepalive timeout"))
        Thread.sleep(forTimeInterval: 2)
        #expect(Self.answers(good))
        #expect(!good.isClosed)
    }

    @Test func aClientThatNeverReadsItsRepliesIsDroppedWithBoundedMemory() throws {
        let root = TestRoot("lim-noread")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        defer { daemon.stop() }
        let pid = daemon.process.processIdentifier
        let good = try daemon.client()
        defer { good.close() }
        let before = Self.rss(pid)

        let hog = try Self.rawOpen(daemon.socket)
        defer { hog.close() }
        VirSocket.setSendTimeout(hog.fd, seconds: 5)
        // Capabilities replies (a few KiB each), asked for and never read.
        let call = try Self.call(.connectGetCapabilities, serial: 3).framed()
        var sent = 0
        var peak = before
        let t0 = ContinuousClock.now
        while ContinuousClock.now - t0 < .seconds(120) {
            do { try hog.write(call) } catch { break }
            sent += 1
            if sent % 1000 == 0 {
                peak = max(peak, Self.rss(pid))
                #expect(Self.answers(good))
            }
        }
        let after = Self.rss(pid)
        print("figures: a client that never reads: \(sent) calls sent before the daemon stopped reading or dropped it; virtqemud RSS \(before) KiB before, peak \(peak) KiB, \(after) KiB after")
        #expect(Self.closedByDaemon(hog, within: .seconds(90)))
        #expect(Self.answers(good))
        // Bounded by the client's output queue (twice the largest message).
        #expect(peak - before < 200 * 1024)
    }

    @Test func aFloodOfEventRegistrationsIsCappedAndTheDaemonStaysResponsive() throws {
        let root = TestRoot("lim-ev")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        defer { daemon.stop() }
        let pid = daemon.process.processIdentifier
        let good = try daemon.client()
        defer { good.close() }
        let before = Self.rss(pid)
        let flood = try daemon.client()
        var refused: RemoteError?
        var registered = 0
        for i in 0..<5000 {
            do {
                _ = try flood.call(RemoteCalls.ConnectDomainEventCallbackRegisterAny.self,
                                   EventCallbackRegisterAnyArgs(eventID: Int32(i % 2 == 0 ? 0 : 8), dom: nil))
                registered += 1
            } catch {
                refused = error
                break
            }
            if i % 500 == 0 { #expect(Self.answers(good)) }
        }
        #expect(registered == 1024)
        #expect(refused?.message == "operation failed: too many event callbacks registered by this client (at most 1024)")
        let with = Self.rss(pid)
        flood.close()
        // A new client registers as usual once the flood is gone.
        let next = try daemon.client()
        defer { next.close() }
        #expect(throws: Never.self) {
            try next.call(RemoteCalls.ConnectDomainEventCallbackRegisterAny.self, EventCallbackRegisterAnyArgs(eventID: 0, dom: nil))
        }
        print("figures: event registration flood: \(registered) registered, then refused; virtqemud RSS \(before) KiB before, \(with) KiB with them, \(Self.rss(pid)) KiB after")
        #expect(with - before < 64 * 1024)
    }

    @Test func pastMaxClientsNewConnectionsWaitUntilOneGoes() throws {
        let root = TestRoot("lim-max")
        defer { #expect(root.cleanup() == []) }
        let daemon = try Self.daemon(root, "max_clients = 3\nmax_anonymous_clients = 2\n")
        defer { daemon.stop() }
        let a = try daemon.client(), b = try daemon.client(), c = try daemon.client()
        defer { for x in [b, c] { x.close() } }
        // The fourth is queued: connected, but its open is not answered.
        let d = try RemoteClient(socketPath: daemon.socket)
        defer { d.close() }
        #expect(throws: RemoteError.self) { try d.call(RemoteCalls.AuthList.self, XDRVoid(), timeout: .seconds(2)) }
        a.close()
        #expect(throws: Never.self) { try d.open() }
        #expect(Self.answers(d))
    }

    @Test func aCallWithDescriptorsIsRefusedAndTheDescriptorsAreNotKept() throws {
        let root = TestRoot("lim-fds")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        defer { daemon.stop() }
        let pid = daemon.process.processIdentifier
        let s = try Self.rawOpen(daemon.socket)
        defer { s.close() }
        let before = Self.descriptors(pid)
        for serial in 10..<30 as Range<UInt32> {
            let msg = try Self.call(.connectGetHostname, serial: serial, type: .callWithFDs, payload: [0, 0, 0, 1]).framed()
            let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
            defer { close(fd) }
            #expect(VirSocket.sendAll(s.fd, msg, passing: fd) == .sent)
            let r = try #require(try s.readMessage())
            #expect(r.header.status == .error)
            let e = try r.decode(RemoteWireError.self)
            #expect(e.message == "file descriptor passing is not supported by this daemon (procedure \(RemoteProcedure.connectGetHostname.rawValue))")
        }
        #expect(Self.descriptors(pid) <= before)
    }
}
