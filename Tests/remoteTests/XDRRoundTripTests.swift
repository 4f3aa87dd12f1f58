import Testing
import domain_conf
import libvirt_abi
@testable import remote

/// Encode → decode gives back the value, for every XDR primitive and every
/// message structure of the protocol.
@Suite struct XDRRoundTripTests {
    func roundTrip<T: XDRCodable & Equatable>(_ v: T) throws {
        let bytes = try v.xdrBytes()
        #expect(bytes.count % 4 == 0, "XDR is made of 4-byte units")
        var d = XDRDecoder(bytes)
        let back = try T(from: &d)
        #expect(back == v)
        #expect(d.isAtEnd)
    }

    @Test func primitives() throws {
        var e = XDREncoder()
        e.int32(-2)
        e.uint32(0xDEAD_BEEF)
        e.int64(-3)
        e.uint64(0x0102_0304_0506_0708)
        e.double(-1.5)
        e.bool(true)
        try e.string("héllo")
        try e.opaque([1, 2, 3], max: 10)
        try e.optionalString(nil)
        try e.optionalString("x")
        var d = XDRDecoder(e.bytes)
        #expect(try d.int32() == -2)
        #expect(try d.uint32() == 0xDEAD_BEEF)
        #expect(try d.int64() == -3)
        #expect(try d.uint64() == 0x0102_0304_0506_0708)
        #expect(try d.double() == -1.5)
        #expect(try d.bool() == true)
        #expect(try d.string() == "héllo")
        #expect(try d.opaque(max: 10) == [1, 2, 3])
        #expect(try d.optionalString() == nil)
        #expect(try d.optionalString() == "x")
        #expect(d.isAtEnd)
    }

    static let dom = RemoteDomain(name: "vm1", uuid: DomainUUID("5f0e8a34-1c2b-4d6e-9f70-8a1b2c3d4e5f")!, id: 7)
    static let params: [TypedParameter] = [
        TypedParameter("i", .int(-1)), TypedParameter("u", .uint(2)), TypedParameter("l", .llong(-3)),
        TypedParameter("ul", .ullong(4)), TypedParameter("d", .double(0.25)), TypedParameter("b", .boolean(true)),
        TypedParameter(MigrateParam.destXML, .string("<domain/>")),
    ]

    @Test func structures() throws {
        let dom = Self.dom
        try roundTrip(MessageHeader(program: RemoteProgram.remote, version: 1, procedure: 273, type: .call, serial: 9))
        try roundTrip(dom)
        try roundTrip(DomainArgs(dom: dom))
        try roundTrip(DomainFlagsArgs(dom: dom, flags: 5))
        try roundTrip(QemuDomainMonitorCommandArgs(dom: dom, cmd: #"{"execute":"query-version"}"#, flags: 1))
        // qemu_domain_monitor_command_args: the domain, the string (length, bytes, padding), the flags.
        #expect(try QemuDomainMonitorCommandArgs(dom: dom, cmd: "info", flags: 1).xdrBytes().suffix(12) == [0, 0, 0, 4, 0x69, 0x6E, 0x66, 0x6F, 0, 0, 0, 1])
        try roundTrip(DomainRet(dom: dom))
        try roundTrip(IntValue(-5))
        try roundTrip(UHyperValue(9_000_000))
        try roundTrip(StringValue("qemu:///system"))
        try roundTrip(StringFlagsArgs("<domain/>", flags: 1))
        try roundTrip(UUIDArgs(dom.uuid))
        try roundTrip(ConnectOpenArgs(name: "qemu:///system", flags: 1))
        try roundTrip(ConnectOpenArgs(name: nil))
        try roundTrip(AuthListRet(types: [AuthListRet.none, AuthListRet.polkit]))
        try roundTrip(NodeGetInfoRet(model: "x86_64", memory: 1 << 24, cpus: 2, mhz: 2400, nodes: 1, sockets: 1, cores: 2, threads: 1))
        try roundTrip(ConnectListAllDomainsArgs(needResults: true, flags: 3))
        try roundTrip(ConnectListAllDomainsRet(domains: [dom, RemoteDomain(name: "b", uuid: .generate(), id: -1)], count: 2))
        try roundTrip(IntListRet([1, 2, 3]))
        try roundTrip(StringListRet(["a", "bb"]))
        try roundTrip(DomainGetMessagesRet(["tainted"]))
        try roundTrip(DomainGetInfoRet(state: 1, maxMem: 16384, memory: 16384, nrVirtCpu: 1, cpuTime: 123))
        try roundTrip(DomainGetStateRet(state: 3, reason: 1))
        try roundTrip(DomainSetAutostartArgs(dom: dom, autostart: true))
        var ji = DomainGetJobInfoRet(type: 2)
        ji.dataTotal = 10
        ji.fileRemaining = 1
        try roundTrip(ji)
        try roundTrip(DomainGetJobStatsRet(type: 3, params: Self.params))
        try roundTrip(DomainGetControlInfoRet(state: 0, details: 0, stateTime: 5))
        try roundTrip(NodeGetSecurityModelRet(model: "none", doi: "0"))
        try roundTrip(DomainGetSecurityLabelRet(label: "", enforcing: 0))
        try roundTrip(DomainMigrateBegin3ParamsArgs(dom: dom, params: Self.params, flags: 1 << 21 | 1))
        try roundTrip(DomainMigrateBegin3ParamsRet(cookieOut: Array("<qemu-migration/>".utf8) + [0], xml: "<domain/>"))
        try roundTrip(DomainMigratePrepare3ParamsArgs(params: Self.params, cookieIn: [1, 2, 3, 4, 5], flags: 1))
        try roundTrip(DomainMigratePrepare3ParamsRet(cookieOut: [9], uriOut: "unix:/run/x.sock"))
        try roundTrip(DomainMigratePrepare3ParamsRet(cookieOut: [], uriOut: nil))
        try roundTrip(DomainMigratePerform3ParamsArgs(dom: dom, dconnuri: nil, params: Self.params, cookieIn: [1], flags: 1))
        try roundTrip(DomainMigratePerform3ParamsArgs(dom: dom, dconnuri: "qemu+unix:///system?socket=/s", params: [], cookieIn: [], flags: 2))
        try roundTrip(CookieRet(cookieOut: [1, 2]))
        try roundTrip(DomainMigrateFinish3ParamsArgs(params: Self.params, cookieIn: [1], flags: 1, cancelled: true))
        try roundTrip(DomainMigrateFinish3ParamsRet(dom: dom, cookieOut: []))
        try roundTrip(DomainMigrateConfirm3ParamsArgs(dom: dom, params: [], cookieIn: [3], flags: 1, cancelled: false))
        try roundTrip(EventCallbackRegisterAnyArgs(eventID: 0, dom: nil))
        try roundTrip(EventCallbackRegisterAnyArgs(eventID: 0, dom: dom))
        try roundTrip(DomainEventCallbackLifecycleMsg(callbackID: 1, dom: dom, event: 5, detail: 3))
        try roundTrip(RemoteWireError(RemoteError(.noDomain, "no domain with matching name 'x'", domain: .qemu)))
        try roundTrip(XDRVoid())
    }

    @Test func typedParametersKeepTheirTypes() throws {
        for p in Self.params { try roundTrip(p) }
    }

    @Test func messagesFrameAndUnframe() throws {
        let m = try RemoteMessage(header: MessageHeader(program: RemoteProgram.remote, version: 1, procedure: 23, type: .call, serial: 4),
                                  body: StringValue("vm1"))
        let frame = try m.framed()
        let n = try RemoteMessage.bodyLength(lengthWord: Array(frame.prefix(4)))
        #expect(n == frame.count - 4)
        let back = try RemoteMessage(body: Array(frame.dropFirst(4)))
        #expect(back == m)
        #expect(try back.decode(StringValue.self).value == "vm1")
    }

    @Test func wireErrorsCarryLibvirtsLayout() throws {
        let e = RemoteWireError(RemoteError(.noDomain, "no domain with matching name 'x'", domain: .qemu))
        #expect(e.messageText == "Domain not found: no domain with matching name 'x'")
        #expect(e.str1 == "Domain not found: %s")
        #expect(e.str2 == "no domain with matching name 'x'")
        #expect(e.level == 2)
        #expect(e.domainNumber == ErrorDomain.qemu.rawValue)
        let back = RemoteError(e)
        #expect(back.message == "Domain not found: no domain with matching name 'x'")
        #expect(back.code == .noDomain)
    }

    @Test func procedureNamesFollowThePublicAPI() {
        #expect(RemoteProcedure.domainGetXMLDesc.apiName == "virDomainGetXMLDesc")
        #expect(RemoteProcedure.connectListAllDomains.apiName == "virConnectListAllDomains")
        #expect(RemoteProcedure.domainLookupByUUID.apiName == "virDomainLookupByUUID")
        #expect(RemoteProcedure.domainMigratePrepare3Params.apiName == "virDomainMigratePrepare3Params")
        #expect(RemoteProcedureNames.apiName(187) == "virDomainSnapshotNum")
        #expect(RemoteProcedureNames.last == 443)
        #expect(RemoteProcedureNames.apiName(0) == nil)
        #expect(RemoteProcedureNames.apiName(444) == nil)
    }
}
