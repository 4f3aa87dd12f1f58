import Testing
import domain_conf
import libvirt_abi
@testable import remote

/// Every length read from the wire is checked against its protocol limit
/// and against the bytes actually there, before anything is allocated.
@Suite struct BoundsTests {
    func word(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }

    @Test func lengthWord() throws {
        #expect(try RemoteMessage.bodyLength(lengthWord: word(28)) == 24)
        #expect(try RemoteMessage.bodyLength(lengthWord: word(UInt32(4 + RemoteProtocolLimits.messageMax))) == RemoteProtocolLimits.messageMax)
        #expect(throws: RemoteError.self) { try RemoteMessage.bodyLength(lengthWord: word(UInt32(5 + RemoteProtocolLimits.messageMax))) }
        #expect(throws: RemoteError.self) { try RemoteMessage.bodyLength(lengthWord: word(0x8000_0000)) } // 2 GiB
        #expect(throws: RemoteError.self) { try RemoteMessage.bodyLength(lengthWord: word(0xffff_ffff)) }
        #expect(throws: RemoteError.self) { try RemoteMessage.bodyLength(lengthWord: word(3)) }
        #expect(throws: RemoteError.self) { try RemoteMessage.bodyLength(lengthWord: [0, 0]) }
    }

    @Test func headerMustBeWhole() {
        #expect(throws: RemoteError.self) { try RemoteMessage(body: [UInt8](repeating: 0, count: 23)) }
        #expect(throws: RemoteError.self) { try RemoteMessage(body: []) }
    }

    @Test func stringLimits() throws {
        // Decode: a length past REMOTE_STRING_MAX, and one past the data.
        var d1 = XDRDecoder(word(UInt32(RemoteProtocolLimits.stringMax + 1)) + [0, 0, 0, 0])
        #expect(throws: RemoteError.self) { try d1.string() }
        var d2 = XDRDecoder(word(0x7fff_ffff) + [0x61, 0, 0, 0])
        #expect(throws: RemoteError.self) { try d2.string() }
        var d3 = XDRDecoder(word(8) + Array("abcd".utf8))
        #expect(throws: RemoteError.self) { try d3.string() }
        // NUL inside a string.
        var d4 = XDRDecoder(word(2) + [0x61, 0, 0, 0])
        #expect(throws: RemoteError.self) { try d4.string() }
        // Exactly at the limit is fine; one past is refused on encode too.
        let atMax = String(repeating: "a", count: RemoteProtocolLimits.stringMax)
        var e = XDREncoder()
        try e.string(atMax)
        var d5 = XDRDecoder(e.bytes)
        #expect(try d5.string().utf8.count == RemoteProtocolLimits.stringMax)
        var e2 = XDREncoder()
        #expect(throws: RemoteError.self) { try e2.string(atMax + "a") }
        // Error strings use VIR_NET_MESSAGE_STRING_MAX.
        var e3 = XDREncoder()
        #expect(throws: RemoteError.self) { try e3.string("abc", max: 2) }
    }

    @Test func opaqueLimits() throws {
        var d = XDRDecoder(word(UInt32(RemoteProtocolLimits.migrateCookieMax + 1)))
        #expect(throws: RemoteError.self) { try d.opaque(max: RemoteProtocolLimits.migrateCookieMax) }
        var e = XDREncoder()
        #expect(throws: RemoteError.self) {
            try e.opaque([UInt8](repeating: 0, count: RemoteProtocolLimits.migrateCookieMax + 1), max: RemoteProtocolLimits.migrateCookieMax)
        }
        var d2 = XDRDecoder([0, 0, 0, 5, 1, 2, 3, 4, 5]) // padding missing
        #expect(throws: RemoteError.self) { try d2.opaque(max: 10) }
    }

    @Test func arrayLimits() throws {
        // 65 migration parameters (REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX is 64).
        let p = [TypedParameter](repeating: TypedParameter("x", .int(1)), count: 65)
        #expect(throws: RemoteError.self) {
            try DomainMigratePrepare3ParamsArgs(params: p, cookieIn: [], flags: 0).xdrBytes()
        }
        var e = XDREncoder()
        e.uint32(65)
        for _ in 0..<65 { try TypedParameter("x", .int(1)).encode(to: &e) }
        try e.opaque([], max: 1)
        e.uint32(0)
        #expect(throws: RemoteError.self) { try DomainMigratePrepare3ParamsArgs(xdr: e.bytes) }
        // A domain list count past REMOTE_DOMAIN_LIST_MAX.
        #expect(throws: RemoteError.self) { try ConnectListAllDomainsRet(xdr: word(16_385) + word(0)) }
        // A count within the limit but far more than the bytes present: refused before allocating.
        #expect(throws: RemoteError.self) { try ConnectListAllDomainsRet(xdr: word(16_000) + word(0)) }
        // 21 auth types (REMOTE_AUTH_TYPE_LIST_MAX is 20), 65 job stats (64).
        #expect(throws: RemoteError.self) { try AuthListRet(xdr: word(21) + [UInt8](repeating: 0, count: 84)) }
        #expect(throws: RemoteError.self) { try DomainGetJobStatsRet(xdr: word(0) + word(65) + [UInt8](repeating: 0, count: 65 * 12)) }
        #expect(throws: RemoteError.self) { try DomainGetMessagesRet(xdr: word(2049) + [UInt8](repeating: 0, count: 2049 * 4)) }
        var e2 = XDREncoder()
        #expect(throws: RemoteError.self) { try e2.array([IntValue](repeating: IntValue(0), count: 21), max: 20) }
    }

    @Test func charArrayLimits() throws {
        #expect(throws: RemoteError.self) { try NodeGetSecurityModelRet(xdr: word(258) + [UInt8](repeating: 0, count: 258 * 4)) }
        #expect(throws: RemoteError.self) {
            try NodeGetSecurityModelRet(model: String(repeating: "m", count: 257), doi: "0").xdrBytes()
        }
        #expect(throws: RemoteError.self) {
            try DomainGetSecurityLabelRet(xdr: word(4098) + [UInt8](repeating: 0, count: 4098 * 4))
        }
    }

    @Test func truncatedStructures() throws {
        let full = try DomainMigrateBegin3ParamsArgs(
            dom: RemoteDomain(name: "vm", uuid: .generate(), id: 1),
            params: [TypedParameter("destination_xml", .string("<domain/>"))], flags: 1).xdrBytes()
        for cut in stride(from: 0, to: full.count, by: 3) {
            #expect(throws: RemoteError.self) { try DomainMigrateBegin3ParamsArgs(xdr: Array(full.prefix(cut))) }
        }
        #expect(try DomainMigrateBegin3ParamsArgs(xdr: full).flags == 1)
    }

    @Test func malformedValues() throws {
        // A boolean (optional marker) of 2.
        #expect(throws: RemoteError.self) { try ConnectOpenArgs(xdr: word(2) + word(0)) }
        // A typed parameter of unknown type 8.
        #expect(throws: RemoteError.self) { try TypedParameter(xdr: word(1) + [0x61, 0, 0, 0] + word(8) + word(0)) }
        // A typed parameter name of 80 bytes (VIR_TYPED_PARAM_FIELD_LENGTH counts the NUL).
        let long = String(repeating: "n", count: 80)
        #expect(throws: RemoteError.self) { try TypedParameter(long, .int(1)).xdrBytes() }
        var e = XDREncoder()
        try e.string(long)
        e.int32(1)
        e.int32(1)
        #expect(throws: RemoteError.self) { try TypedParameter(xdr: e.bytes) }
        // unsigned char / unsigned short out of range.
        #expect(throws: RemoteError.self) { try DomainGetInfoRet(xdr: word(256) + [UInt8](repeating: 0, count: 32)) }
        // A fixed UUID cut short.
        #expect(throws: RemoteError.self) { try UUIDArgs(xdr: [UInt8](repeating: 0, count: 15)) }
        // Message too large to frame.
        let huge = RemoteMessage(header: MessageHeader(program: 1, version: 1, procedure: 1, type: .call, serial: 1),
                                 payload: [UInt8](repeating: 0, count: RemoteProtocolLimits.payloadMax + 1))
        #expect(throws: RemoteError.self) { try huge.framed() }
    }
}
