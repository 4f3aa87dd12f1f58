import Testing
import domain_conf
import libvirt_abi
@testable import remote

/// Byte-exact encodings, worked out by hand from RFC 4506 and libvirt's
/// .x files (what libvirt's rpcgen code puts on the wire).
@Suite struct GoldenBytesTests {
    func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }

    @Test func connectOpenCall() throws {
        // virConnectOpen("qemu:///system", 0), serial 2.
        let m = try RemoteMessage(header: MessageHeader(program: RemoteProgram.remote, version: 1, procedure: 1, type: .call, serial: 2),
                                  body: ConnectOpenArgs(name: "qemu:///system", flags: 0))
        let expected = "00000038" // length 56, itself included
            + "20008086" + "00000001" + "00000001" + "00000000" + "00000002" + "00000000" // header
            + "00000001" // name present
            + "0000000e" + "71656d753a2f2f2f73797374656d" + "0000" // "qemu:///system", padded
            + "00000000" // flags
        #expect(hex(try m.framed()) == expected)
    }

    @Test func keepalivePong() throws {
        let frame = try KeepaliveProcedure.pong.message.framed()
        #expect(hex(frame) == "0000001c" + "6b656570" + "00000001" + "00000002" + "00000002" + "00000000" + "00000000")
    }

    @Test func domain() throws {
        let d = RemoteDomain(name: "vm", uuid: DomainUUID("00112233-4455-6677-8899-aabbccddeeff")!, id: -1)
        #expect(hex(try d.xdrBytes()) == "00000002" + "766d0000" + "00112233445566778899aabbccddeeff" + "ffffffff")
    }

    @Test func typedParameters() throws {
        #expect(hex(try TypedParameter("bandwidth", .ullong(1)).xdrBytes())
                == "00000009" + "62616e647769647468000000" + "00000004" + "0000000000000001")
        #expect(hex(try TypedParameter("b", .boolean(true)).xdrBytes()) == "00000001" + "62000000" + "00000006" + "00000001")
        #expect(hex(try TypedParameter("d", .double(1.0)).xdrBytes()) == "00000001" + "64000000" + "00000005" + "3ff0000000000000")
        #expect(hex(try TypedParameter("s", .string("ab")).xdrBytes()) == "00000001" + "73000000" + "00000007" + "00000002" + "61620000")
    }

    @Test func charArraysWidenEachByte() throws {
        // "none" + NUL as five 4-byte chars, then "0" + NUL.
        let b = try NodeGetSecurityModelRet(model: "none", doi: "0").xdrBytes()
        #expect(hex(b) == "00000005" + "0000006e" + "0000006f" + "0000006e" + "00000065" + "00000000"
                + "00000002" + "00000030" + "00000000")
        // virNodeInfo.model is char[32]: 128 bytes, then the numbers.
        let info = try NodeGetInfoRet(model: "x86_64", memory: 1, cpus: 2, mhz: 3, nodes: 1, sockets: 1, cores: 2, threads: 1).xdrBytes()
        #expect(info.count == 32 * 4 + 8 + 6 * 4)
    }

    @Test func domainInfoWidensCharAndShort() throws {
        let b = try DomainGetInfoRet(state: 1, maxMem: 2, memory: 3, nrVirtCpu: 4, cpuTime: 5).xdrBytes()
        #expect(hex(b) == "00000001" + "0000000000000002" + "0000000000000003" + "00000004" + "0000000000000005")
    }

    @Test func errorReply() throws {
        let e = RemoteWireError(codeNumber: 42, domainNumber: 10, messageText: "a", str1: nil, str2: nil)
        #expect(hex(try e.xdrBytes()) == "0000002a" + "0000000a" + "00000001" + "00000001" + "61000000" + "00000002"
                + "00000000" + "00000000" + "00000000" + "00000000" + "ffffffff" + "ffffffff" + "00000000")
    }

    @Test func lifecycleEventMessage() throws {
        let d = RemoteDomain(name: "v", uuid: DomainUUID(high: 0, low: 1), id: 3)
        let m = try DomainEventCallbackLifecycleMsg(callbackID: 1, dom: d, event: 2, detail: 0).message()
        #expect(m.header.type == .message)
        #expect(m.header.serial == 1)
        #expect(m.header.procedure == 318)
        #expect(hex(m.payload) == "00000001" + "00000001" + "76000000" + "00000000000000000000000000000001" + "00000003"
                + "00000002" + "00000000")
    }
}
