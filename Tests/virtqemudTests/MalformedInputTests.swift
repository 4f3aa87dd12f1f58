import Foundation
import Glibc
import Testing
import TestSupport
import libvirt_abi
import remote

/// Hostile or broken input gets an error reply or a closed connection,
/// never a crash, and never disturbs a running VM.
@Suite(.serialized) struct MalformedInputTests {
    func word(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }

    func header(program: UInt32 = RemoteProgram.remote, version: UInt32 = 1, procedure: Int32, type: Int32 = 0,
                serial: UInt32 = 7, status: Int32 = 0) -> [UInt8] {
        word(program) + word(version) + word(UInt32(bitPattern: procedure)) + word(UInt32(bitPattern: type)) + word(serial)
            + word(UInt32(bitPattern: status))
    }

    func frame(_ body: [UInt8]) -> [UInt8] { word(UInt32(body.count + 4)) + body }

    enum Outcome: Equatable {
        case closed
        case error(code: Int32, message: String)
        case reply
    }

    /// Sends raw bytes on a fresh connection (opened first when `open`),
    /// then reads what comes back.
    func send(_ bytes: [UInt8], to daemon: VirtqemudProcess, open: Bool = true, halfClose: Bool = false) throws -> Outcome {
        let s = try UnixStream.connect(path: daemon.socket)
        defer { s.close() }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(s.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        if open {
            let m = try RemoteMessage(header: MessageHeader(program: RemoteProgram.remote, version: 1, procedure: 1, type: .call, serial: 1),
                                      body: ConnectOpenArgs(name: "qemu:///system"))
            try s.writeMessage(m)
            guard let r = try s.readMessage(), r.header.status == .ok else { return .closed }
        }
        try? s.write(bytes)
        if halfClose { _ = Glibc.shutdown(s.fd, Int32(SHUT_WR)) }
        do {
            guard let r = try s.readMessage() else { return .closed }
            if r.header.status == .error {
                let e = try r.decode(RemoteWireError.self)
                return .error(code: e.codeNumber, message: e.message)
            }
            return .reply
        } catch {
            return .closed
        }
    }

    @Test func malformedInputNeverDisturbsARunningVM() throws {
        let root = TestRoot("malf")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let serial = try PythonMigrationTests.startCounterGuest(daemon)
        let pid = try #require(daemon.qemuProcesses.first)
        let rpc = ErrorNumber.rpc.rawValue
        let lookup = RemoteProcedure.domainLookupByName.rawValue

        // A length word below the minimum, and a header cut short.
        #expect(try send(word(3), to: daemon) == .closed)
        #expect(try send(frame([0, 0, 0, 1]), to: daemon) == .closed)
        // 2 GiB, 4 GiB - 1, and one byte past VIR_NET_MESSAGE_MAX: closed before any body is read.
        #expect(try send(word(0x8000_0000) + [1, 2, 3], to: daemon) == .closed)
        #expect(try send(word(0xffff_ffff), to: daemon) == .closed)
        #expect(try send(word(UInt32(RemoteProtocolLimits.messageMax + 5)), to: daemon) == .closed)
        // A length longer than what comes: the connection ends mid-message.
        #expect(try send(word(1000) + header(procedure: lookup), to: daemon, halfClose: true) == .closed)
        // Garbage.
        var g = SystemRandomNumberGenerator()
        #expect(try send((0..<1024).map { _ in UInt8.random(in: 0...255, using: &g) }, to: daemon, halfClose: true) == .closed)

        // An unknown program, an unknown procedure, one libvirt has but this driver lacks.
        #expect(try send(frame(header(program: 0x1234_5678, procedure: 1)), to: daemon)
                == .error(code: rpc, message: "Cannot find program 305419896 version 1"))
        #expect(try send(frame(header(procedure: 9999)), to: daemon) == .error(code: rpc, message: "unknown procedure: 9999"))
        #expect(try send(frame(header(procedure: -1)), to: daemon) == .error(code: rpc, message: "unknown procedure: -1"))
        #expect(try send(frame(header(procedure: 187)), to: daemon)
                == .error(code: ErrorNumber.noSupport.rawValue, message: "this function is not supported by the connection driver: virDomainSnapshotNum"))
        // A wrong version of the remote program, a call with an error status.
        #expect(try send(frame(header(version: 2, procedure: lookup)), to: daemon)
                == .error(code: rpc, message: "Cannot find program 536903814 version 2"))
        #expect(try send(frame(header(procedure: lookup, status: 1)), to: daemon)
                == .error(code: rpc, message: "Unexpected message status 1"))

        // Truncated XDR: a string of 10 bytes with 4 present; no payload at all.
        let decode = Outcome.error(code: rpc, message: "Unable to decode message payload")
        #expect(try send(frame(header(procedure: lookup) + word(10) + Array("abcd".utf8)), to: daemon) == decode)
        #expect(try send(frame(header(procedure: lookup)), to: daemon) == decode)
        // Strings past REMOTE_STRING_MAX: announced (small frame), and really sent (4 MiB + 1).
        #expect(try send(frame(header(procedure: lookup) + word(UInt32(RemoteProtocolLimits.stringMax + 1))), to: daemon) == decode)
        let big = [UInt8](repeating: 0x61, count: RemoteProtocolLimits.stringMax + 1)
        #expect(try send(frame(header(procedure: lookup) + word(UInt32(big.count)) + big + [0, 0, 0]), to: daemon) == decode)
        // Migration parameters: a count of 2^32-1, and 65 (the limit is 64); a cookie past its limit.
        let prepare = RemoteProcedure.domainMigratePrepare3Params.rawValue
        #expect(try send(frame(header(procedure: prepare) + word(0xffff_ffff)), to: daemon) == decode)
        var e = XDREncoder()
        e.uint32(65)
        for _ in 0..<65 { try TypedParameter("x", .int(1)).encode(to: &e) }
        #expect(try send(frame(header(procedure: prepare) + e.bytes + word(0) + word(0)), to: daemon) == decode)
        #expect(try send(frame(header(procedure: prepare) + word(0) + word(UInt32(RemoteProtocolLimits.migrateCookieMax + 1))),
                         to: daemon) == decode)
        // A typed parameter of an unknown type; a bad optional marker.
        #expect(try send(frame(header(procedure: prepare) + word(1) + word(1) + [0x61, 0, 0, 0] + word(99) + word(0)), to: daemon) == decode)
        #expect(try send(frame(header(procedure: 1) + word(7) + word(0)), to: daemon, open: false) == decode)

        // A call before CONNECT_OPEN.
        #expect(try send(frame(header(procedure: lookup) + word(2) + Array("vm".utf8) + [0, 0]), to: daemon, open: false)
                == .error(code: ErrorNumber.internalError.rawValue, message: "internal error: connection not open"))
        // A reply or an event sent by the client is ignored; the connection goes on.
        let s = try daemon.client()
        try s.sendRaw(frame(header(procedure: lookup, type: 1)) + frame(header(procedure: lookup, type: 2)) + frame(header(procedure: lookup, type: 3)))
        #expect(try s.call(RemoteCalls.DomainLookupByName.self, StringValue("vm")).dom.name == "vm")
        s.close()

        // The daemon is alive, answers, and the VM never noticed.
        #expect(daemon.isRunning, "\(daemon.log)")
        let c = try daemon.client()
        let dom = try c.call(RemoteCalls.DomainLookupByName.self, StringValue("vm")).dom
        #expect(dom.id == 1)
        #expect(try c.call(RemoteCalls.DomainGetState.self, DomainFlagsArgs(dom: dom)).state == 1)
        c.close()
        #expect(daemon.qemuProcesses == [pid])
        let counter = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: counter + 3))
        #expect(PythonMigrationTests.neverRestarted(serial))
    }

    @Test func keepaliveIsAnswered() throws {
        let root = TestRoot("kal")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let s = try UnixStream.connect(path: daemon.socket)
        defer { s.close() }
        try s.writeMessage(KeepaliveProcedure.ping.message)
        let r = try #require(try s.readMessage())
        #expect(r.header == KeepaliveProcedure.pong.message.header)
        #expect(r.payload.isEmpty)
    }
}
