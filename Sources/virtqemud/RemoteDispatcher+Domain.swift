import Foundation
import domain_conf
import libvirt_abi
import qemu_driver
import remote

/// The domain procedures: lists, lookups, definitions, lifecycle, state,
/// XML, autostart, jobs.
extension RemoteDispatcher {
    /// `VIR_DOMAIN_DEFINE_VALIDATE`.
    static let defineValidate: UInt32 = 1
    /// `VIR_DOMAIN_START_PAUSED`, `_AUTODESTROY`, `_BYPASS_CACHE`,
    /// `_FORCE_BOOT`, `_VALIDATE`, `_RESET_NVRAM`.
    static let startPaused: UInt32 = 1, startAutodestroy: UInt32 = 2, startBypassCache: UInt32 = 4,
               startForceBoot: UInt32 = 8, startValidate: UInt32 = 16, startResetNVRAM: UInt32 = 32
    /// `VIR_DOMAIN_UNDEFINE_*`: managed save, snapshots, NVRAM, keep
    /// NVRAM, checkpoints, TPM, keep TPM (the driver checks them).
    static let undefineAll: UInt32 = DomainUndefineFlags.all.rawValue
    /// `VIR_DOMAIN_DESTROY_GRACEFUL`.
    static let destroyGraceful: UInt32 = 1
    /// `VIR_DOMAIN_XML_SECURE`, `_INACTIVE`, `_UPDATE_CPU`, `_MIGRATABLE`.
    static let xmlSecure: UInt32 = 1, xmlInactive: UInt32 = 2, xmlUpdateCPU: UInt32 = 4, xmlMigratable: UInt32 = 8
    /// `VIR_DOMAIN_JOB_STATS_COMPLETED`, `_KEEP_COMPLETED`.
    static let jobStatsCompleted: UInt32 = 1, jobStatsKeepCompleted: UInt32 = 2
    /// `VIR_DOMAIN_MESSAGE_DEPRECATION`, `VIR_DOMAIN_MESSAGE_TAINTING`.
    static let messageDeprecation: UInt32 = 1, messageTainting: UInt32 = 2

    static func dispatchDomain(_ p: RemoteProcedure, _ msg: RemoteMessage, client: DaemonClient,
                               conn: QemuConnection) async throws(RemoteError) -> [UInt8]? {
        switch p {
        case .connectListAllDomains:
            return try runSync(RemoteCalls.ConnectListAllDomains.self, msg) { a throws(RemoteError) in
                let doms = conn.listAllDomains(ListAllDomainsFlags(rawValue: a.flags))
                guard doms.count <= RemoteProtocolLimits.domainListMax else {
                    throw RemoteError(.internalError, "Too many domains '\(doms.count)' for limit '\(RemoteProtocolLimits.domainListMax)'")
                }
                return ConnectListAllDomainsRet(domains: a.needResults != 0 ? doms.map(wire) : [], count: UInt32(doms.count))
            }
        case .connectGetAllDomainStats:
            return try await run(RemoteCalls.ConnectGetAllDomainStats.self, msg) { a throws(RemoteError) in
                let records = try await driver {
                    try await conn.allDomainStats(a.doms.isEmpty ? nil : a.doms.map(ref), stats: DomainStatsTypes(rawValue: a.stats),
                                            flags: a.flags)
                }
                guard records.count <= RemoteProtocolLimits.domainListMax else {
                    throw RemoteError(.internalError, "Too many domains '\(records.count)' for limit '\(RemoteProtocolLimits.domainListMax)'")
                }
                return ConnectGetAllDomainStatsRet(records: records.map { RemoteDomainStatsRecord(dom: wire($0.dom), params: $0.params) })
            }
        case .domainMemoryStats:
            return try await run(RemoteCalls.DomainMemoryStats.self, msg) { a throws(RemoteError) in
                guard a.maxStats <= RemoteProtocolLimits.domainMemoryStatsMax else {
                    throw RemoteError(.rpc, "maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX")
                }
                let stats = try await driver { try await conn.memoryStats(ref(a.dom), maxStats: Int(a.maxStats), flags: a.flags) }
                return DomainMemoryStatsRet(stats: stats.map { DomainMemoryStatsRet.Stat(tag: $0.tag, value: $0.value) })
            }
        case .connectListDomains:
            return try runSync(RemoteCalls.ConnectListDomains.self, msg) { a throws(RemoteError) in
                try checkMax(a.value, "maxids")
                let ids = conn.listAllDomains(.active).compactMap(\.id).sorted().prefix(Int(a.value))
                return IntListRet(ids.map { Int32(clamping: $0) })
            }
        case .connectNumOfDomains:
            return try runSync(RemoteCalls.ConnectNumOfDomains.self, msg) { _ in IntValue(Int32(clamping: conn.listAllDomains(.active).count)) }
        case .connectListDefinedDomains:
            return try runSync(RemoteCalls.ConnectListDefinedDomains.self, msg) { a throws(RemoteError) in
                try checkMax(a.value, "maxnames")
                return StringListRet(Array(conn.listAllDomains(.inactive).map(\.name).sorted().prefix(Int(a.value))))
            }
        case .connectNumOfDefinedDomains:
            return try runSync(RemoteCalls.ConnectNumOfDefinedDomains.self, msg) { _ in IntValue(Int32(clamping: conn.listAllDomains(.inactive).count)) }
        case .domainLookupByID:
            return try await run(RemoteCalls.DomainLookupByID.self, msg) { a throws(RemoteError) in
                DomainRet(dom: wire(try await driver { try conn.lookup(id: Int(a.value)) }))
            }
        case .domainLookupByName:
            return try await run(RemoteCalls.DomainLookupByName.self, msg) { a throws(RemoteError) in
                DomainRet(dom: wire(try await driver { try conn.lookup(name: a.value) }))
            }
        case .domainLookupByUUID:
            return try await run(RemoteCalls.DomainLookupByUUID.self, msg) { a throws(RemoteError) in
                DomainRet(dom: wire(try await driver { try conn.lookup(uuid: a.uuid) }))
            }
        case .domainDefineXML:
            return try await run(RemoteCalls.DomainDefineXML.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainDefineXML")
                return DomainRet(dom: wire(try await driver { try conn.defineXML(a.value) }))
            }
        case .domainDefineXMLFlags:
            return try await run(RemoteCalls.DomainDefineXMLFlags.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainDefineXMLFlags")
                try checkFlags(a.flags, allowed: defineValidate, "qemuDomainDefineXMLFlags")
                return DomainRet(dom: wire(try await driver { try conn.defineXML(a.value, validate: a.flags & defineValidate != 0) }))
            }
        case .domainUndefine:
            return try await run(RemoteCalls.DomainUndefine.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainUndefine")
                try await driver { try await conn.undefine(ref(a.dom)) }
                return XDRVoid()
            }
        case .domainUndefineFlags:
            return try await run(RemoteCalls.DomainUndefineFlags.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainUndefineFlags")
                try checkFlags(a.flags, allowed: undefineAll, "qemuDomainUndefineFlags")
                try await driver { try await conn.undefine(ref(a.dom), flags: DomainUndefineFlags(rawValue: a.flags)) }
                return XDRVoid()
            }
        case .domainCreate:
            return try await run(RemoteCalls.DomainCreate.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainCreate")
                _ = try await driver { try await conn.create(ref(a.dom)) }
                return XDRVoid()
            }
        case .domainCreateWithFlags:
            return try await run(RemoteCalls.DomainCreateWithFlags.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainCreateWithFlags")
                try checkFlags(a.flags, allowed: startPaused | startAutodestroy | startBypassCache | startForceBoot | startValidate | startResetNVRAM,
                               "qemuDomainCreateWithFlags")
                let dom = ref(a.dom)
                let started = try await driver { () async throws -> DomainRef in
                    try await conn.create(dom, paused: a.flags & startPaused != 0, autodestroy: a.flags & startAutodestroy != 0,
                                          resetNVRAM: a.flags & startResetNVRAM != 0, forceBoot: a.flags & startForceBoot != 0)
                }
                return DomainRet(dom: wire(started))
            }
        case .domainCreateXML:
            return try await run(RemoteCalls.DomainCreateXML.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainCreateXML")
                try checkFlags(a.flags, allowed: startPaused | startAutodestroy | startBypassCache | startForceBoot | startValidate | startResetNVRAM,
                               "qemuDomainCreateXML")
                let dom = try await driver {
                    try await conn.createXML(a.value, paused: a.flags & startPaused != 0, validate: a.flags & startValidate != 0,
                                             autodestroy: a.flags & startAutodestroy != 0, resetNVRAM: a.flags & startResetNVRAM != 0)
                }
                return DomainRet(dom: wire(dom))
            }
        case .domainDestroy:
            return try await run(RemoteCalls.DomainDestroy.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainDestroy")
                try await driver { try await conn.destroy(ref(a.dom)) }
                return XDRVoid()
            }
        case .domainDestroyFlags:
            return try await run(RemoteCalls.DomainDestroyFlags.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainDestroyFlags")
                try checkFlags(a.flags, allowed: destroyGraceful, "qemuDomainDestroyFlags")
                try await driver { try await conn.destroy(ref(a.dom)) }
                return XDRVoid()
            }
        case .domainShutdown:
            return try await run(RemoteCalls.DomainShutdown.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainShutdown")
                try await driver { try await conn.shutdown(ref(a.dom)) }
                return XDRVoid()
            }
        case .domainShutdownFlags:
            return try await run(RemoteCalls.DomainShutdownFlags.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainShutdownFlags")
                try await driver { try await conn.shutdown(ref(a.dom), flags: a.flags) }
                return XDRVoid()
            }
        case .domainUpdateDeviceFlags:
            return try await run(RemoteCalls.DomainUpdateDeviceFlags.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainUpdateDeviceFlags")
                try await driver { try await conn.updateDevice(ref(a.dom), xml: a.xml, flags: a.flags) }
                return XDRVoid()
            }
        case .domainInterfaceAddresses:
            return try await run(RemoteCalls.DomainInterfaceAddresses.self, msg) { a throws(RemoteError) in
                // libvirt's ACL: domain:read, and domain:write for the agent.
                if a.source == QemuConnection.InterfaceAddressSource.agent.rawValue {
                    try checkWritable(client, "virDomainInterfaceAddresses")
                }
                let ifaces = try await driver { try await conn.interfaceAddresses(ref(a.dom), source: a.source, flags: a.flags) }
                return DomainInterfaceAddressesRet(ifaces: ifaces.map { i in
                    .init(name: i.name, hwaddr: i.hwaddr, addrs: i.addrs.map { .init(type: $0.type.rawValue, addr: $0.addr, prefix: $0.prefix) })
                })
            }
        case .domainGetHostname:
            return try await run(RemoteCalls.DomainGetHostname.self, msg) { a throws(RemoteError) in
                DomainGetHostnameRet(hostname: try await driver { try await conn.guestHostname(ref(a.dom), flags: a.flags) })
            }
        case .domainReboot:
            return try await run(RemoteCalls.DomainReboot.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainReboot")
                try await driver { try await conn.reboot(ref(a.dom), flags: a.flags) }
                return XDRVoid()
            }
        case .domainSetMaxMemory:
            return try await run(RemoteCalls.DomainSetMaxMemory.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainSetMaxMemory")
                try await driver { try await conn.setMemory(ref(a.dom), kibibytes: a.value, flags: .maximum) }
                return XDRVoid()
            }
        case .domainSetMemory:
            return try await run(RemoteCalls.DomainSetMemory.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainSetMemory")
                try await driver { try await conn.setMemory(ref(a.dom), kibibytes: a.value, flags: .live) }
                return XDRVoid()
            }
        case .domainInterfaceStats:
            return try await run(RemoteCalls.DomainInterfaceStats.self, msg) { a throws(RemoteError) in
                DomainInterfaceStatsRet(values: try await driver { try conn.interfaceStats(ref(a.dom), device: a.xml) })
            }
        case .domainSave:
            return try await run(RemoteCalls.DomainSave.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainSave")
                try await driver { try await conn.save(ref(a.dom), to: a.xml) }
                return XDRVoid()
            }
        case .domainSaveFlags:
            return try await run(RemoteCalls.DomainSaveFlags.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainSaveFlags")
                try await driver { try await conn.save(ref(a.dom), to: a.to, xml: a.dxml, flags: DomainSaveFlags(rawValue: a.flags)) }
                return XDRVoid()
            }
        case .domainRestore:
            return try await run(RemoteCalls.DomainRestore.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainRestore")
                _ = try await driver { try await conn.restore(from: a.value) }
                return XDRVoid()
            }
        case .domainRestoreFlags:
            return try await run(RemoteCalls.DomainRestoreFlags.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainRestoreFlags")
                _ = try await driver { try await conn.restore(from: a.from, xml: a.dxml, flags: DomainSaveFlags(rawValue: a.flags)) }
                return XDRVoid()
            }
        case .domainManagedSave:
            return try await run(RemoteCalls.DomainManagedSave.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainManagedSave")
                try await driver { try await conn.managedSave(ref(a.dom), flags: DomainSaveFlags(rawValue: a.flags)) }
                return XDRVoid()
            }
        case .domainManagedSaveRemove:
            return try await run(RemoteCalls.DomainManagedSaveRemove.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainManagedSaveRemove")
                try checkFlags(a.flags, allowed: 0, "qemuDomainManagedSaveRemove")
                try await driver { try conn.managedSaveRemove(ref(a.dom)) }
                return XDRVoid()
            }
        case .domainSetMetadata:
            return try await run(RemoteCalls.DomainSetMetadata.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainSetMetadata")
                try await driver {
                    try await conn.setMetadata(ref(a.dom), type: a.type, metadata: a.metadata, key: a.key, uri: a.uri,
                                               flags: DomainDeviceModifyFlags(rawValue: a.flags))
                }
                return XDRVoid()
            }
        case .domainGetMetadata:
            return try await run(RemoteCalls.DomainGetMetadata.self, msg) { a throws(RemoteError) in
                StringValue(try await driver {
                    try conn.metadata(ref(a.dom), type: a.type, uri: a.uri, flags: DomainDeviceModifyFlags(rawValue: a.flags))
                })
            }
        case .domainGetVcpus:
            // libvirt: remoteDispatchDomainGetVcpus.
            return try await run(RemoteCalls.DomainGetVcpus.self, msg) { a throws(RemoteError) in
                guard a.maxinfo <= Int32(RemoteProtocolLimits.vcpuInfoMax) else {
                    throw RemoteError(.internalError, "maxinfo > REMOTE_VCPUINFO_MAX")
                }
                let (total, overflow) = a.maxinfo.multipliedReportingOverflow(by: a.maplen)
                guard !overflow, total <= Int32(RemoteProtocolLimits.cpuMapsMax), a.maxinfo >= 0, a.maplen >= 0 else {
                    throw RemoteError(.internalError, "maxinfo * maplen > REMOTE_CPUMAPS_MAX")
                }
                let vcpus = try await driver { try await conn.vcpus(ref(a.dom)) }
                let shown = Array(vcpus.prefix(Int(a.maxinfo)))
                return DomainGetVcpusRet(info: shown.map { .init(number: $0.number, state: $0.state, cpuTime: $0.cpuTime, cpu: $0.cpu) },
                                         cpumaps: Self.cpuMaps(shown.map(\.affinity), count: Int(a.maxinfo), maplen: Int(a.maplen)))
            }
        case .domainGetVcpuPinInfo:
            // libvirt: remoteDispatchDomainGetVcpuPinInfo.
            return try await run(RemoteCalls.DomainGetVcpuPinInfo.self, msg) { a throws(RemoteError) in
                guard a.ncpumaps <= Int32(RemoteProtocolLimits.vcpuInfoMax) else {
                    throw RemoteError(.internalError, "ncpumaps > REMOTE_VCPUINFO_MAX")
                }
                let (total, overflow) = a.ncpumaps.multipliedReportingOverflow(by: a.maplen)
                guard !overflow, total <= Int32(RemoteProtocolLimits.cpuMapsMax), a.ncpumaps >= 0, a.maplen >= 0 else {
                    throw RemoteError(.internalError, "maxinfo * maplen > REMOTE_CPUMAPS_MAX")
                }
                try checkFlags(a.flags, allowed: 3, "qemuDomainGetVcpuPinInfo")
                let maps = try await driver {
                    // VIR_DOMAIN_AFFECT_CURRENT: the live definition if it runs.
                    let active = try conn.isActive(ref(a.dom))
                    let config = a.flags & 2 != 0 || (a.flags & 1 == 0 && !active)
                    return try conn.vcpuPinInfo(ref(a.dom), config: config)
                }
                let shown = Array(maps.prefix(Int(a.ncpumaps)))
                return DomainGetVcpuPinInfoRet(cpumaps: Self.cpuMaps(shown, count: Int(a.ncpumaps), maplen: Int(a.maplen)),
                                               num: Int32(shown.count))
            }
        case .domainBlockStatsFlags:
            // libvirt: remoteDispatchDomainBlockStatsFlags (nparams 0 asks
            // the count).
            return try await run(RemoteCalls.DomainBlockStatsFlags.self, msg) { a throws(RemoteError) in
                guard a.nparams <= Int32(RemoteProtocolLimits.blockStatsParametersMax) else {
                    throw RemoteError(.rpc, "nparams too large")
                }
                guard a.nparams >= 0 else {
                    throw RemoteError(.invalidArg, "nparams in virDomainBlockStatsFlags must be zero or greater", domain: .domain)
                }
                let params = try await driver { try await conn.blockStats(ref(a.dom), path: a.path, flags: a.flags) }
                if a.nparams == 0 { return DomainBlockStatsFlagsRet(params: [], nparams: Int32(params.count)) }
                let sent = Array(params.prefix(Int(a.nparams)))
                return DomainBlockStatsFlagsRet(params: sent, nparams: Int32(sent.count))
            }
        case .domainOpenConsole:
            return try await run(RemoteCalls.DomainOpenConsole.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainOpenConsole")
                try checkFlags(a.flags, allowed: 3, "qemuDomainOpenConsole")
                let path = try await driver { try conn.consolePTY(ref(a.dom), devName: a.devName) }
                let relay = try ConsoleStreamRelay(path: path, serial: msg.header.serial, client: client)
                do throws(RemoteError) {
                    try client.server.claimConsole(relay, force: a.flags & 2 != 0)
                } catch {
                    relay.close()
                    throw error
                }
                client.addStream(relay)
                return XDRVoid()
            }
        case .domainAttachDevice, .domainDetachDevice:
            let attach = msg.header.procedure == RemoteProcedure.domainAttachDevice.rawValue
            return try await run(RemoteCalls.DomainAttachDevice.self, msg) { a throws(RemoteError) in
                try checkWritable(client, attach ? "virDomainAttachDevice" : "virDomainDetachDevice")
                try await driver {
                    // virDomainAttachDevice is the flags call with AFFECT_LIVE.
                    if attach {
                        try await conn.attachDevice(ref(a.dom), xml: a.xml, flags: .live)
                    } else {
                        try await conn.detachDevice(ref(a.dom), xml: a.xml, flags: .live)
                    }
                }
                return XDRVoid()
            }
        case .domainAttachDeviceFlags, .domainDetachDeviceFlags:
            let attach = msg.header.procedure == RemoteProcedure.domainAttachDeviceFlags.rawValue
            return try await run(RemoteCalls.DomainAttachDeviceFlags.self, msg) { a throws(RemoteError) in
                try checkWritable(client, attach ? "virDomainAttachDeviceFlags" : "virDomainDetachDeviceFlags")
                try await driver {
                    let flags = DomainDeviceModifyFlags(rawValue: a.flags)
                    if attach {
                        try await conn.attachDevice(ref(a.dom), xml: a.xml, flags: flags)
                    } else {
                        try await conn.detachDevice(ref(a.dom), xml: a.xml, flags: flags)
                    }
                }
                return XDRVoid()
            }
        case .domainSetVcpus:
            return try await run(RemoteCalls.DomainSetVcpus.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainSetVcpus")
                try await driver { try await conn.setVcpus(ref(a.dom), count: a.value, flags: .live) }
                return XDRVoid()
            }
        case .domainSetVcpusFlags:
            return try await run(RemoteCalls.DomainSetVcpusFlags.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainSetVcpusFlags")
                try await driver { try await conn.setVcpus(ref(a.dom), count: a.value, flags: DomainVcpuFlags(rawValue: a.flags)) }
                return XDRVoid()
            }
        case .domainGetVcpusFlags:
            return try await run(RemoteCalls.DomainGetVcpusFlags.self, msg) { a throws(RemoteError) in
                if a.flags & DomainVcpuFlags.guest.rawValue != 0 {
                    try checkWritable(client, "virDomainGetVcpusFlags")
                }
                return IntValue(try await driver { try await conn.vcpuCount(ref(a.dom), flags: DomainVcpuFlags(rawValue: a.flags)) })
            }
        case .domainSetMemoryFlags:
            return try await run(RemoteCalls.DomainSetMemoryFlags.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainSetMemoryFlags")
                try await driver {
                    try await conn.setMemory(ref(a.dom), kibibytes: a.value, flags: DomainMemoryModFlags(rawValue: a.flags))
                }
                return XDRVoid()
            }
        case .domainReset:
            return try await run(RemoteCalls.DomainReset.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainReset")
                try checkFlags(a.flags, allowed: 0, "qemuDomainReset")
                try await driver { try await conn.reset(ref(a.dom)) }
                return XDRVoid()
            }
        case .domainScreenshot:
            return try await run(RemoteCalls.DomainScreenshot.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainScreenshot")
                let shot = try await driver { try await conn.screenshot(ref(a.dom), screen: a.screen, flags: a.flags) }
                client.addStream(DownloadStream(shot.data, procedure: .domainScreenshot, serial: msg.header.serial, client: client))
                return DomainScreenshotRet(mime: shot.mime)
            }
        case .domainSendKey:
            return try await run(RemoteCalls.DomainSendKey.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainSendKey")
                try await driver {
                    try await conn.sendKey(ref(a.dom), codeset: a.codeset, holdtime: a.holdtime, keycodes: a.keycodes, flags: a.flags)
                }
                return XDRVoid()
            }
        case .domainSuspend:
            return try await run(RemoteCalls.DomainSuspend.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainSuspend")
                try await driver { try await conn.suspend(ref(a.dom)) }
                return XDRVoid()
            }
        case .domainResume:
            return try await run(RemoteCalls.DomainResume.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainResume")
                try await driver { try await conn.resume(ref(a.dom)) }
                return XDRVoid()
            }
        case .domainGetInfo:
            return try await run(RemoteCalls.DomainGetInfo.self, msg) { a throws(RemoteError) in
                let i = try await driver { try conn.info(ref(a.dom)) }
                return DomainGetInfoRet(state: UInt8(clamping: i.state.rawValue), maxMem: i.maxMemory, memory: i.memory,
                                        nrVirtCpu: UInt16(clamping: i.vcpus), cpuTime: i.cpuTime)
            }
        case .domainGetState:
            return try await run(RemoteCalls.DomainGetState.self, msg) { a throws(RemoteError) in
                try checkFlags(a.flags, allowed: 0, "qemuDomainGetState")
                let s = try await driver { try conn.state(ref(a.dom)) }
                return DomainGetStateRet(state: s.state.rawValue, reason: s.rawReason)
            }
        case .domainGetTime:
            return try await run(RemoteCalls.DomainGetTime.self, msg) { a throws(RemoteError) in
                let t = try await driver { try await conn.guestTime(ref(a.dom), flags: a.flags) }
                return DomainGetTimeRet(seconds: t.seconds, nseconds: t.nseconds)
            }
        case .domainSetTime:
            return try await run(RemoteCalls.DomainSetTime.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainSetTime")
                try await driver { try await conn.setGuestTime(ref(a.dom), seconds: a.seconds, nseconds: a.nseconds, flags: a.flags) }
                return XDRVoid()
            }
        case .domainGetFSInfo:
            return try await run(RemoteCalls.DomainGetFSInfo.self, msg) { a throws(RemoteError) in
                // libvirt's ACL: domain:fs_freeze, a write permission.
                try checkWritable(client, "virDomainGetFSInfo")
                let info = try await driver { try await conn.fsInfo(ref(a.dom), flags: a.flags) }
                return DomainGetFSInfoRet(info: info.map {
                    .init(mountpoint: $0.mountpoint, name: $0.name, fstype: $0.fstype, devAliases: $0.devAliases)
                })
            }
        case .domainGetGuestInfo:
            return try await run(RemoteCalls.DomainGetGuestInfo.self, msg) { a throws(RemoteError) in
                // libvirt's ACL: domain:write.
                try checkWritable(client, "virDomainGetGuestInfo")
                return DomainGetGuestInfoRet(params: try await driver { try await conn.guestInfo(ref(a.dom), types: a.types, flags: a.flags) })
            }
        case .domainGetControlInfo:
            return try await run(RemoteCalls.DomainGetControlInfo.self, msg) { a throws(RemoteError) in
                let info = try await driver { try conn.controlInfo(ref(a.dom), flags: a.flags) }
                return DomainGetControlInfoRet(state: UInt32(info.state.rawValue), details: UInt32(info.details), stateTime: info.stateTime)
            }
        case .domainGetXMLDesc:
            return try await run(RemoteCalls.DomainGetXMLDesc.self, msg) { a throws(RemoteError) in
                // libvirt: virDomainGetXMLDesc, before the driver is called.
                if client.state.withLock({ $0.readOnly }), a.flags & (xmlSecure | xmlMigratable) != 0 {
                    throw RemoteError(.operationDenied, "virDomainGetXMLDesc with secure flag", domain: .domain)
                }
                try checkFlags(a.flags, allowed: xmlSecure | xmlInactive | xmlUpdateCPU | xmlMigratable, "qemuDomainGetXMLDesc")
                let flags = DomainDef.FormatFlags(rawValue: a.flags & (xmlSecure | xmlInactive | xmlMigratable))
                return StringValue(try await driver { try conn.xmlDesc(ref(a.dom), flags: flags) })
            }
        case .domainGetOSType:
            return try await run(RemoteCalls.DomainGetOSType.self, msg) { a throws(RemoteError) in
                StringValue(try await driver { try conn.osType(ref(a.dom)) })
            }
        case .domainGetMaxMemory:
            return try await run(RemoteCalls.DomainGetMaxMemory.self, msg) { a throws(RemoteError) in
                UHyperValue(try await driver { try conn.info(ref(a.dom)).maxMemory })
            }
        case .domainIsActive:
            return try await run(RemoteCalls.DomainIsActive.self, msg) { a throws(RemoteError) in
                IntValue(try await driver { try conn.isActive(ref(a.dom)) } ? 1 : 0)
            }
        case .domainIsPersistent:
            return try await run(RemoteCalls.DomainIsPersistent.self, msg) { a throws(RemoteError) in
                IntValue(try await driver { try conn.isPersistent(ref(a.dom)) } ? 1 : 0)
            }
        case .domainGetAutostart:
            return try await run(RemoteCalls.DomainGetAutostart.self, msg) { a throws(RemoteError) in
                IntValue(try await driver { try conn.autostart(ref(a.dom)) } ? 1 : 0)
            }
        case .domainSetAutostart:
            return try await run(RemoteCalls.DomainSetAutostart.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainSetAutostart")
                try await driver { try conn.setAutostart(ref(a.dom), a.autostart != 0) }
                return XDRVoid()
            }
        case .domainHasManagedSaveImage:
            return try await run(RemoteCalls.DomainHasManagedSaveImage.self, msg) { a throws(RemoteError) in
                try checkFlags(a.flags, allowed: 0, "qemuDomainHasManagedSaveImage")
                return IntValue(try await driver { try conn.hasManagedSaveImage(ref(a.dom)) } ? 1 : 0)
            }
        case .domainGetSecurityLabel:
            return try await run(RemoteCalls.DomainGetSecurityLabel.self, msg) { a throws(RemoteError) in
                _ = try await driver { try conn.obj(ref(a.dom)) }
                return DomainGetSecurityLabelRet(label: "", enforcing: 0)
            }
        case .domainGetMessages:
            return try await run(RemoteCalls.DomainGetMessages.self, msg) { a throws(RemoteError) in
                try checkFlags(a.flags, allowed: messageDeprecation | messageTainting, "qemuDomainGetMessages")
                let msgs = try await driver {
                    try conn.messages(ref(a.dom), tainting: a.flags == 0 || a.flags & messageTainting != 0,
                                      deprecation: a.flags == 0 || a.flags & messageDeprecation != 0)
                }
                return DomainGetMessagesRet(Array(msgs.prefix(DomainGetMessagesRet.max)))
            }
        case .domainGetJobInfo:
            return try await run(RemoteCalls.DomainGetJobInfo.self, msg) { a throws(RemoteError) in
                let (type, params) = try await jobStats(conn, ref(a.dom), completed: false)
                return jobInfo(type: type, params: params)
            }
        case .domainGetJobStats:
            return try await run(RemoteCalls.DomainGetJobStats.self, msg) { a throws(RemoteError) in
                try checkFlags(a.flags, allowed: jobStatsCompleted | jobStatsKeepCompleted, "qemuDomainGetJobStats")
                let (type, params) = try await jobStats(conn, ref(a.dom), completed: a.flags & jobStatsCompleted != 0)
                return DomainGetJobStatsRet(type: type.rawValue, params: Array(params.prefix(RemoteProtocolLimits.jobStatsMax)))
            }
        case .domainAbortJob:
            return try await run(RemoteCalls.DomainAbortJob.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainAbortJob")
                try await driver { try await conn.abortJob(ref(a.dom)) }
                return XDRVoid()
            }
        case .domainAbortJobFlags:
            return try await run(RemoteCalls.DomainAbortJobFlags.self, msg) { a throws(RemoteError) in
                try checkWritable(client, "virDomainAbortJobFlags")
                try checkFlags(a.flags, allowed: 0, "qemuDomainAbortJobFlags")
                try await driver { try await conn.abortJob(ref(a.dom)) }
                return XDRVoid()
            }
        default:
            return nil
        }
    }

    /// The driver's job statistics; a domain that does not run has no
    /// current job to report (libvirt: `qemuDomainGetJobStatsInternal`,
    /// "domain is not running").
    static func jobStats(_ conn: QemuConnection, _ dom: DomainRef, completed: Bool) async throws(RemoteError) -> (DomainJobType, [TypedParameter]) {
        try await driver { () async throws -> (DomainJobType, [TypedParameter]) in
            let r = try await conn.jobStats(dom, completed: completed)
            return (r.type, r.params)
        }
    }

    /// `virDomainJobInfo` from the typed statistics.
    ///
    /// libvirt: `qemuDomainJobDataToInfo`.
    /// CPU maps as libvirt lays them out: `maplen` bytes per vCPU, bit i of
    /// byte i/8 for host CPU i, `count` maps in all.
    static func cpuMaps(_ maps: [[Bool]], count: Int, maplen: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count * maplen)
        for (v, map) in maps.enumerated() where v < count {
            for (i, on) in map.enumerated() where on && i / 8 < maplen { bytes[v * maplen + i / 8] |= 1 << UInt8(i % 8) }
        }
        return bytes
    }

    static func jobInfo(type: DomainJobType, params: [TypedParameter]) -> DomainGetJobInfoRet {
        var r = DomainGetJobInfoRet(type: type.rawValue)
        r.timeElapsed = params.unsigned("time_elapsed") ?? 0
        r.timeRemaining = params.unsigned("time_remaining") ?? 0
        r.dataTotal = params.unsigned("data_total") ?? 0
        r.dataProcessed = params.unsigned("data_processed") ?? 0
        r.dataRemaining = params.unsigned("data_remaining") ?? 0
        r.memTotal = params.unsigned("memory_total") ?? 0
        r.memProcessed = params.unsigned("memory_processed") ?? 0
        r.memRemaining = params.unsigned("memory_remaining") ?? 0
        r.fileTotal = params.unsigned("disk_total") ?? 0
        r.fileProcessed = params.unsigned("disk_processed") ?? 0
        r.fileRemaining = params.unsigned("disk_remaining") ?? 0
        return r
    }

    /// libvirt: "maxids > REMOTE_DOMAIN_LIST_MAX" and friends.
    static func checkMax(_ n: Int32, _ what: String) throws(RemoteError) {
        guard n >= 0, Int(n) <= RemoteProtocolLimits.domainListMax else {
            throw RemoteError(.rpc, "\(what) > REMOTE_DOMAIN_LIST_MAX")
        }
    }
}
