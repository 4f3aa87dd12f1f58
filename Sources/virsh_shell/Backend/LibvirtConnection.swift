import domain_conf
import qemu_process
import qemu_capabilities
import qemu_monitor
import qemu_driver
import CLibvirt
import Foundation
import libvirt_abi

// The one place in virsh that touches libvirt's C API and its pointers:
// every URI that is not the embedded driver goes through libvirt's client
// library (qemu:///system, qemu+unix:///system?socket=..., test:///default).
// Every string and array libvirt hands out is freed here; typed
// parameters go through the virTypedParams* functions.
//
// libvirt keeps the last error per thread: each wrapper reads it on the
// thread that made the failing call, before anything else can run there.

/// libvirt's client library, loaded with `dlopen` the first time a
/// connection needs it: the embedded driver never does, and loading
/// libvirt and its fifty libraries is most of a short virsh command's
/// start-up time.
struct LibvirtAPI: @unchecked Sendable {
    let virConnectClose: clibvirt_virConnectClose_fn
    let virConnectDomainEventDeregisterAny: clibvirt_virConnectDomainEventDeregisterAny_fn
    let virConnectDomainEventRegisterAny: clibvirt_virConnectDomainEventRegisterAny_fn
    let virConnectDomainXMLToNative: clibvirt_virConnectDomainXMLToNative_fn
    let virConnectGetAllDomainStats: clibvirt_virConnectGetAllDomainStats_fn
    let virConnectGetCapabilities: clibvirt_virConnectGetCapabilities_fn
    let virConnectGetDomainCapabilities: clibvirt_virConnectGetDomainCapabilities_fn
    let virConnectGetMaxVcpus: clibvirt_virConnectGetMaxVcpus_fn
    let virConnectGetHostname: clibvirt_virConnectGetHostname_fn
    let virConnectGetSysinfo: clibvirt_virConnectGetSysinfo_fn
    let virConnectGetLibVersion: clibvirt_virConnectGetLibVersion_fn
    let virConnectGetType: clibvirt_virConnectGetType_fn
    let virConnectGetURI: clibvirt_virConnectGetURI_fn
    let virConnectGetVersion: clibvirt_virConnectGetVersion_fn
    let virConnectListAllDomains: clibvirt_virConnectListAllDomains_fn
    let virConnectOpenAuth: clibvirt_virConnectOpenAuth_fn
    let virDomainAbortJob: clibvirt_virDomainAbortJob_fn
    let virDomainAttachDevice: clibvirt_virDomainAttachDevice_fn
    let virDomainAttachDeviceFlags: clibvirt_virDomainAttachDeviceFlags_fn
    let virDomainCreate: clibvirt_virDomainCreate_fn
    let virDomainCreateWithFlags: clibvirt_virDomainCreateWithFlags_fn
    let virDomainCreateXML: clibvirt_virDomainCreateXML_fn
    let virDomainDefineXML: clibvirt_virDomainDefineXML_fn
    let virDomainDefineXMLFlags: clibvirt_virDomainDefineXMLFlags_fn
    let virDomainDestroy: clibvirt_virDomainDestroy_fn
    let virDomainDetachDevice: clibvirt_virDomainDetachDevice_fn
    let virDomainDetachDeviceFlags: clibvirt_virDomainDetachDeviceFlags_fn
    let virDomainUpdateDeviceFlags: clibvirt_virDomainUpdateDeviceFlags_fn
    let virDomainDestroyFlags: clibvirt_virDomainDestroyFlags_fn
    let virDomainFree: clibvirt_virDomainFree_fn
    let virDomainGetAutostart: clibvirt_virDomainGetAutostart_fn
    let virDomainGetControlInfo: clibvirt_virDomainGetControlInfo_fn
    let virDomainGetID: clibvirt_virDomainGetID_fn
    let virDomainGetInfo: clibvirt_virDomainGetInfo_fn
    let virDomainGetJobInfo: clibvirt_virDomainGetJobInfo_fn
    let virDomainGetJobStats: clibvirt_virDomainGetJobStats_fn
    let virDomainGetMessages: clibvirt_virDomainGetMessages_fn
    let virDomainGetName: clibvirt_virDomainGetName_fn
    let virDomainGetOSType: clibvirt_virDomainGetOSType_fn
    let virDomainGetSecurityLabel: clibvirt_virDomainGetSecurityLabel_fn
    let virDomainGetState: clibvirt_virDomainGetState_fn
    let virDomainGetUUIDString: clibvirt_virDomainGetUUIDString_fn
    let virDomainGetXMLDesc: clibvirt_virDomainGetXMLDesc_fn
    let virDomainHasManagedSaveImage: clibvirt_virDomainHasManagedSaveImage_fn
    let virDomainIsActive: clibvirt_virDomainIsActive_fn
    let virDomainIsPersistent: clibvirt_virDomainIsPersistent_fn
    let virDomainListGetStats: clibvirt_virDomainListGetStats_fn
    let virDomainLookupByID: clibvirt_virDomainLookupByID_fn
    let virDomainLookupByName: clibvirt_virDomainLookupByName_fn
    let virDomainLookupByUUIDString: clibvirt_virDomainLookupByUUIDString_fn
    let virDomainMemoryStats: clibvirt_virDomainMemoryStats_fn
    let virDomainMigrate3: clibvirt_virDomainMigrate3_fn
    let virDomainMigrateToURI3: clibvirt_virDomainMigrateToURI3_fn
    let virDomainMigrateGetMaxDowntime: clibvirt_virDomainMigrateGetMaxDowntime_fn
    let virDomainMigrateGetMaxSpeed: clibvirt_virDomainMigrateGetMaxSpeed_fn
    let virDomainMigrateSetMaxDowntime: clibvirt_virDomainMigrateSetMaxDowntime_fn
    let virDomainMigrateSetMaxSpeed: clibvirt_virDomainMigrateSetMaxSpeed_fn
    let virDomainReset: clibvirt_virDomainReset_fn
    let virDomainSendKey: clibvirt_virDomainSendKey_fn
    let virDomainScreenshot: clibvirt_virDomainScreenshot_fn
    let virDomainResume: clibvirt_virDomainResume_fn
    let virDomainSetAutostart: clibvirt_virDomainSetAutostart_fn
    let virDomainStatsRecordListFree: clibvirt_virDomainStatsRecordListFree_fn
    let virDomainSetMemoryFlags: clibvirt_virDomainSetMemoryFlags_fn
    let virDomainSetMemoryStatsPeriod: clibvirt_virDomainSetMemoryStatsPeriod_fn
    let virDomainSetVcpus: clibvirt_virDomainSetVcpus_fn
    let virDomainSetVcpusFlags: clibvirt_virDomainSetVcpusFlags_fn
    let virDomainGetVcpusFlags: clibvirt_virDomainGetVcpusFlags_fn
    let virDomainShutdown: clibvirt_virDomainShutdown_fn
    let virDomainSuspend: clibvirt_virDomainSuspend_fn
    let virDomainUndefine: clibvirt_virDomainUndefine_fn
    let virDomainUndefineFlags: clibvirt_virDomainUndefineFlags_fn
    let virEventRegisterDefaultImpl: clibvirt_virEventRegisterDefaultImpl_fn
    let virEventRunDefaultImpl: clibvirt_virEventRunDefaultImpl_fn
    let virGetLastError: clibvirt_virGetLastError_fn
    let virGetVersion: clibvirt_virGetVersion_fn
    let virInitialize: clibvirt_virInitialize_fn
    let virNodeGetInfo: clibvirt_virNodeGetInfo_fn
    let virNodeGetCPUMap: clibvirt_virNodeGetCPUMap_fn
    let virNodeGetFreeMemory: clibvirt_virNodeGetFreeMemory_fn
    let virNodeGetCellsFreeMemory: clibvirt_virNodeGetCellsFreeMemory_fn
    let virNodeGetSecurityModel: clibvirt_virNodeGetSecurityModel_fn
    let virResetLastError: clibvirt_virResetLastError_fn
    let virSetErrorFunc: clibvirt_virSetErrorFunc_fn
    let virDomainOpenConsole: clibvirt_virDomainOpenConsole_fn
    let virDomainInterfaceStats: clibvirt_virDomainInterfaceStats_fn
    let virDomainGetTime: clibvirt_virDomainGetTime_fn
    let virDomainSetTime: clibvirt_virDomainSetTime_fn
    let virDomainGetFSInfo: clibvirt_virDomainGetFSInfo_fn
    let virDomainFSInfoFree: clibvirt_virDomainFSInfoFree_fn
    let virDomainGetGuestInfo: clibvirt_virDomainGetGuestInfo_fn
    let virDomainShutdownFlags: clibvirt_virDomainShutdownFlags_fn
    let virDomainReboot: clibvirt_virDomainReboot_fn
    let virDomainGetHostname: clibvirt_virDomainGetHostname_fn
    let virDomainInterfaceAddresses: clibvirt_virDomainInterfaceAddresses_fn
    let virDomainInterfaceFree: clibvirt_virDomainInterfaceFree_fn
    let virDomainSave: clibvirt_virDomainSave_fn
    let virDomainSaveFlags: clibvirt_virDomainSaveFlags_fn
    let virDomainRestore: clibvirt_virDomainRestore_fn
    let virDomainRestoreFlags: clibvirt_virDomainRestoreFlags_fn
    let virDomainManagedSave: clibvirt_virDomainManagedSave_fn
    let virDomainManagedSaveRemove: clibvirt_virDomainManagedSaveRemove_fn
    let virDomainGetMetadata: clibvirt_virDomainGetMetadata_fn
    let virDomainSetMetadata: clibvirt_virDomainSetMetadata_fn
    let virDomainGetVcpus: clibvirt_virDomainGetVcpus_fn
    let virDomainGetVcpuPinInfo: clibvirt_virDomainGetVcpuPinInfo_fn
    let virDomainBlockStats: clibvirt_virDomainBlockStats_fn
    let virDomainBlockStatsFlags: clibvirt_virDomainBlockStatsFlags_fn
    let virDomainGetConnect: clibvirt_virDomainGetConnect_fn
    let virStreamNew: clibvirt_virStreamNew_fn
    let virStreamRecv: clibvirt_virStreamRecv_fn
    let virStreamSend: clibvirt_virStreamSend_fn
    let virStreamFinish: clibvirt_virStreamFinish_fn
    let virStreamAbort: clibvirt_virStreamAbort_fn
    let virStreamFree: clibvirt_virStreamFree_fn
    let virTypedParamsAddBoolean: clibvirt_virTypedParamsAddBoolean_fn
    let virTypedParamsAddDouble: clibvirt_virTypedParamsAddDouble_fn
    let virTypedParamsAddInt: clibvirt_virTypedParamsAddInt_fn
    let virTypedParamsAddLLong: clibvirt_virTypedParamsAddLLong_fn
    let virTypedParamsAddString: clibvirt_virTypedParamsAddString_fn
    let virTypedParamsAddUInt: clibvirt_virTypedParamsAddUInt_fn
    let virTypedParamsAddULLong: clibvirt_virTypedParamsAddULLong_fn
    let virTypedParamsFree: clibvirt_virTypedParamsFree_fn
    /// `virConnectAuthPtrDefault`: libvirt's terminal prompts.
    let defaultAuth: virConnectAuthPtr?

    /// The library, or why it cannot be loaded.
    static let shared: Result<LibvirtAPI, VirshError> = load()

    static func load() -> Result<LibvirtAPI, VirshError> {
        guard let h = dlopen("libvirt.so.0", RTLD_NOW | RTLD_GLOBAL) else {
            let why = dlerror().map { String(cString: $0) } ?? "unknown error"
            return .failure(VirshError(code: .noConnect, message: "cannot load libvirt's client library: \(why)"))
        }
        func sym<T>(_ name: String, _: T.Type) throws(VirshError) -> T {
            guard let p = dlsym(h, name) else {
                throw VirshError(code: .noConnect, message: "libvirt's client library lacks \(name)")
            }
            return unsafeBitCast(p, to: T.self)
        }
        do throws(VirshError) {
            return .success(LibvirtAPI(
                virConnectClose: try sym("virConnectClose", clibvirt_virConnectClose_fn.self),
                virConnectDomainEventDeregisterAny: try sym("virConnectDomainEventDeregisterAny",
                                                            clibvirt_virConnectDomainEventDeregisterAny_fn.self),
                virConnectDomainEventRegisterAny: try sym("virConnectDomainEventRegisterAny",
                                                          clibvirt_virConnectDomainEventRegisterAny_fn.self),
                virConnectDomainXMLToNative: try sym("virConnectDomainXMLToNative", clibvirt_virConnectDomainXMLToNative_fn.self),
                virConnectGetAllDomainStats: try sym("virConnectGetAllDomainStats", clibvirt_virConnectGetAllDomainStats_fn.self),
                virConnectGetCapabilities: try sym("virConnectGetCapabilities", clibvirt_virConnectGetCapabilities_fn.self),
                virConnectGetDomainCapabilities: try sym("virConnectGetDomainCapabilities",
                                                         clibvirt_virConnectGetDomainCapabilities_fn.self),
                virConnectGetMaxVcpus: try sym("virConnectGetMaxVcpus", clibvirt_virConnectGetMaxVcpus_fn.self),
                virConnectGetHostname: try sym("virConnectGetHostname", clibvirt_virConnectGetHostname_fn.self),
                virConnectGetSysinfo: try sym("virConnectGetSysinfo", clibvirt_virConnectGetSysinfo_fn.self),
                virConnectGetLibVersion: try sym("virConnectGetLibVersion", clibvirt_virConnectGetLibVersion_fn.self),
                virConnectGetType: try sym("virConnectGetType", clibvirt_virConnectGetType_fn.self),
                virConnectGetURI: try sym("virConnectGetURI", clibvirt_virConnectGetURI_fn.self),
                virConnectGetVersion: try sym("virConnectGetVersion", clibvirt_virConnectGetVersion_fn.self),
                virConnectListAllDomains: try sym("virConnectListAllDomains", clibvirt_virConnectListAllDomains_fn.self),
                virConnectOpenAuth: try sym("virConnectOpenAuth", clibvirt_virConnectOpenAuth_fn.self),
                virDomainAbortJob: try sym("virDomainAbortJob", clibvirt_virDomainAbortJob_fn.self),
                virDomainAttachDevice: try sym("virDomainAttachDevice", clibvirt_virDomainAttachDevice_fn.self),
                virDomainAttachDeviceFlags: try sym("virDomainAttachDeviceFlags", clibvirt_virDomainAttachDeviceFlags_fn.self),
                virDomainCreate: try sym("virDomainCreate", clibvirt_virDomainCreate_fn.self),
                virDomainCreateWithFlags: try sym("virDomainCreateWithFlags", clibvirt_virDomainCreateWithFlags_fn.self),
                virDomainCreateXML: try sym("virDomainCreateXML", clibvirt_virDomainCreateXML_fn.self),
                virDomainDefineXML: try sym("virDomainDefineXML", clibvirt_virDomainDefineXML_fn.self),
                virDomainDefineXMLFlags: try sym("virDomainDefineXMLFlags", clibvirt_virDomainDefineXMLFlags_fn.self),
                virDomainDestroy: try sym("virDomainDestroy", clibvirt_virDomainDestroy_fn.self),
                virDomainDetachDevice: try sym("virDomainDetachDevice", clibvirt_virDomainDetachDevice_fn.self),
                virDomainDetachDeviceFlags: try sym("virDomainDetachDeviceFlags", clibvirt_virDomainDetachDeviceFlags_fn.self),
                virDomainUpdateDeviceFlags: try sym("virDomainUpdateDeviceFlags", clibvirt_virDomainUpdateDeviceFlags_fn.self),
                virDomainDestroyFlags: try sym("virDomainDestroyFlags", clibvirt_virDomainDestroyFlags_fn.self),
                virDomainFree: try sym("virDomainFree", clibvirt_virDomainFree_fn.self),
                virDomainGetAutostart: try sym("virDomainGetAutostart", clibvirt_virDomainGetAutostart_fn.self),
                virDomainGetControlInfo: try sym("virDomainGetControlInfo", clibvirt_virDomainGetControlInfo_fn.self),
                virDomainGetID: try sym("virDomainGetID", clibvirt_virDomainGetID_fn.self),
                virDomainGetInfo: try sym("virDomainGetInfo", clibvirt_virDomainGetInfo_fn.self),
                virDomainGetJobInfo: try sym("virDomainGetJobInfo", clibvirt_virDomainGetJobInfo_fn.self),
                virDomainGetJobStats: try sym("virDomainGetJobStats", clibvirt_virDomainGetJobStats_fn.self),
                virDomainGetMessages: try sym("virDomainGetMessages", clibvirt_virDomainGetMessages_fn.self),
                virDomainGetName: try sym("virDomainGetName", clibvirt_virDomainGetName_fn.self),
                virDomainGetOSType: try sym("virDomainGetOSType", clibvirt_virDomainGetOSType_fn.self),
                virDomainGetSecurityLabel: try sym("virDomainGetSecurityLabel", clibvirt_virDomainGetSecurityLabel_fn.self),
                virDomainGetState: try sym("virDomainGetState", clibvirt_virDomainGetState_fn.self),
                virDomainGetUUIDString: try sym("virDomainGetUUIDString", clibvirt_virDomainGetUUIDString_fn.self),
                virDomainGetXMLDesc: try sym("virDomainGetXMLDesc", clibvirt_virDomainGetXMLDesc_fn.self),
                virDomainHasManagedSaveImage: try sym("virDomainHasManagedSaveImage", clibvirt_virDomainHasManagedSaveImage_fn.self),
                virDomainIsActive: try sym("virDomainIsActive", clibvirt_virDomainIsActive_fn.self),
                virDomainIsPersistent: try sym("virDomainIsPersistent", clibvirt_virDomainIsPersistent_fn.self),
                virDomainListGetStats: try sym("virDomainListGetStats", clibvirt_virDomainListGetStats_fn.self),
                virDomainLookupByID: try sym("virDomainLookupByID", clibvirt_virDomainLookupByID_fn.self),
                virDomainLookupByName: try sym("virDomainLookupByName", clibvirt_virDomainLookupByName_fn.self),
                virDomainLookupByUUIDString: try sym("virDomainLookupByUUIDString", clibvirt_virDomainLookupByUUIDString_fn.self),
                virDomainMemoryStats: try sym("virDomainMemoryStats", clibvirt_virDomainMemoryStats_fn.self),
                virDomainMigrate3: try sym("virDomainMigrate3", clibvirt_virDomainMigrate3_fn.self),
                virDomainMigrateToURI3: try sym("virDomainMigrateToURI3", clibvirt_virDomainMigrateToURI3_fn.self),
                virDomainMigrateGetMaxDowntime: try sym("virDomainMigrateGetMaxDowntime", clibvirt_virDomainMigrateGetMaxDowntime_fn.self),
                virDomainMigrateGetMaxSpeed: try sym("virDomainMigrateGetMaxSpeed", clibvirt_virDomainMigrateGetMaxSpeed_fn.self),
                virDomainMigrateSetMaxDowntime: try sym("virDomainMigrateSetMaxDowntime", clibvirt_virDomainMigrateSetMaxDowntime_fn.self),
                virDomainMigrateSetMaxSpeed: try sym("virDomainMigrateSetMaxSpeed", clibvirt_virDomainMigrateSetMaxSpeed_fn.self),
                virDomainReset: try sym("virDomainReset", clibvirt_virDomainReset_fn.self),
                virDomainSendKey: try sym("virDomainSendKey", clibvirt_virDomainSendKey_fn.self),
                virDomainScreenshot: try sym("virDomainScreenshot", clibvirt_virDomainScreenshot_fn.self),
                virDomainResume: try sym("virDomainResume", clibvirt_virDomainResume_fn.self),
                virDomainSetAutostart: try sym("virDomainSetAutostart", clibvirt_virDomainSetAutostart_fn.self),
                virDomainStatsRecordListFree: try sym("virDomainStatsRecordListFree", clibvirt_virDomainStatsRecordListFree_fn.self),
                virDomainSetMemoryFlags: try sym("virDomainSetMemoryFlags", clibvirt_virDomainSetMemoryFlags_fn.self),
                virDomainSetMemoryStatsPeriod: try sym("virDomainSetMemoryStatsPeriod", clibvirt_virDomainSetMemoryStatsPeriod_fn.self),
                virDomainSetVcpus: try sym("virDomainSetVcpus", clibvirt_virDomainSetVcpus_fn.self),
                virDomainSetVcpusFlags: try sym("virDomainSetVcpusFlags", clibvirt_virDomainSetVcpusFlags_fn.self),
                virDomainGetVcpusFlags: try sym("virDomainGetVcpusFlags", clibvirt_virDomainGetVcpusFlags_fn.self),
                virDomainShutdown: try sym("virDomainShutdown", clibvirt_virDomainShutdown_fn.self),
                virDomainSuspend: try sym("virDomainSuspend", clibvirt_virDomainSuspend_fn.self),
                virDomainUndefine: try sym("virDomainUndefine", clibvirt_virDomainUndefine_fn.self),
                virDomainUndefineFlags: try sym("virDomainUndefineFlags", clibvirt_virDomainUndefineFlags_fn.self),
                virEventRegisterDefaultImpl: try sym("virEventRegisterDefaultImpl", clibvirt_virEventRegisterDefaultImpl_fn.self),
                virEventRunDefaultImpl: try sym("virEventRunDefaultImpl", clibvirt_virEventRunDefaultImpl_fn.self),
                virGetLastError: try sym("virGetLastError", clibvirt_virGetLastError_fn.self),
                virGetVersion: try sym("virGetVersion", clibvirt_virGetVersion_fn.self),
                virInitialize: try sym("virInitialize", clibvirt_virInitialize_fn.self),
                virNodeGetInfo: try sym("virNodeGetInfo", clibvirt_virNodeGetInfo_fn.self),
                virNodeGetCPUMap: try sym("virNodeGetCPUMap", clibvirt_virNodeGetCPUMap_fn.self),
                virNodeGetFreeMemory: try sym("virNodeGetFreeMemory", clibvirt_virNodeGetFreeMemory_fn.self),
                virNodeGetCellsFreeMemory: try sym("virNodeGetCellsFreeMemory", clibvirt_virNodeGetCellsFreeMemory_fn.self),
                virNodeGetSecurityModel: try sym("virNodeGetSecurityModel", clibvirt_virNodeGetSecurityModel_fn.self),
                virResetLastError: try sym("virResetLastError", clibvirt_virResetLastError_fn.self),
                virSetErrorFunc: try sym("virSetErrorFunc", clibvirt_virSetErrorFunc_fn.self),
                virDomainOpenConsole: try sym("virDomainOpenConsole", clibvirt_virDomainOpenConsole_fn.self),
                virDomainInterfaceStats: try sym("virDomainInterfaceStats", clibvirt_virDomainInterfaceStats_fn.self),
                virDomainGetTime: try sym("virDomainGetTime", clibvirt_virDomainGetTime_fn.self),
                virDomainSetTime: try sym("virDomainSetTime", clibvirt_virDomainSetTime_fn.self),
                virDomainGetFSInfo: try sym("virDomainGetFSInfo", clibvirt_virDomainGetFSInfo_fn.self),
                virDomainFSInfoFree: try sym("virDomainFSInfoFree", clibvirt_virDomainFSInfoFree_fn.self),
                virDomainGetGuestInfo: try sym("virDomainGetGuestInfo", clibvirt_virDomainGetGuestInfo_fn.self),
                virDomainShutdownFlags: try sym("virDomainShutdownFlags", clibvirt_virDomainShutdownFlags_fn.self),
                virDomainReboot: try sym("virDomainReboot", clibvirt_virDomainReboot_fn.self),
                virDomainGetHostname: try sym("virDomainGetHostname", clibvirt_virDomainGetHostname_fn.self),
                virDomainInterfaceAddresses: try sym("virDomainInterfaceAddresses", clibvirt_virDomainInterfaceAddresses_fn.self),
                virDomainInterfaceFree: try sym("virDomainInterfaceFree", clibvirt_virDomainInterfaceFree_fn.self),
                virDomainSave: try sym("virDomainSave", clibvirt_virDomainSave_fn.self),
                virDomainSaveFlags: try sym("virDomainSaveFlags", clibvirt_virDomainSaveFlags_fn.self),
                virDomainRestore: try sym("virDomainRestore", clibvirt_virDomainRestore_fn.self),
                virDomainRestoreFlags: try sym("virDomainRestoreFlags", clibvirt_virDomainRestoreFlags_fn.self),
                virDomainManagedSave: try sym("virDomainManagedSave", clibvirt_virDomainManagedSave_fn.self),
                virDomainManagedSaveRemove: try sym("virDomainManagedSaveRemove", clibvirt_virDomainManagedSaveRemove_fn.self),
                virDomainGetMetadata: try sym("virDomainGetMetadata", clibvirt_virDomainGetMetadata_fn.self),
                virDomainSetMetadata: try sym("virDomainSetMetadata", clibvirt_virDomainSetMetadata_fn.self),
                virDomainGetVcpus: try sym("virDomainGetVcpus", clibvirt_virDomainGetVcpus_fn.self),
                virDomainGetVcpuPinInfo: try sym("virDomainGetVcpuPinInfo", clibvirt_virDomainGetVcpuPinInfo_fn.self),
                virDomainBlockStats: try sym("virDomainBlockStats", clibvirt_virDomainBlockStats_fn.self),
                virDomainBlockStatsFlags: try sym("virDomainBlockStatsFlags", clibvirt_virDomainBlockStatsFlags_fn.self),
                virDomainGetConnect: try sym("virDomainGetConnect", clibvirt_virDomainGetConnect_fn.self),
                virStreamNew: try sym("virStreamNew", clibvirt_virStreamNew_fn.self),
                virStreamRecv: try sym("virStreamRecv", clibvirt_virStreamRecv_fn.self),
                virStreamSend: try sym("virStreamSend", clibvirt_virStreamSend_fn.self),
                virStreamFinish: try sym("virStreamFinish", clibvirt_virStreamFinish_fn.self),
                virStreamAbort: try sym("virStreamAbort", clibvirt_virStreamAbort_fn.self),
                virStreamFree: try sym("virStreamFree", clibvirt_virStreamFree_fn.self),
                virTypedParamsAddBoolean: try sym("virTypedParamsAddBoolean", clibvirt_virTypedParamsAddBoolean_fn.self),
                virTypedParamsAddDouble: try sym("virTypedParamsAddDouble", clibvirt_virTypedParamsAddDouble_fn.self),
                virTypedParamsAddInt: try sym("virTypedParamsAddInt", clibvirt_virTypedParamsAddInt_fn.self),
                virTypedParamsAddLLong: try sym("virTypedParamsAddLLong", clibvirt_virTypedParamsAddLLong_fn.self),
                virTypedParamsAddString: try sym("virTypedParamsAddString", clibvirt_virTypedParamsAddString_fn.self),
                virTypedParamsAddUInt: try sym("virTypedParamsAddUInt", clibvirt_virTypedParamsAddUInt_fn.self),
                virTypedParamsAddULLong: try sym("virTypedParamsAddULLong", clibvirt_virTypedParamsAddULLong_fn.self),
                virTypedParamsFree: try sym("virTypedParamsFree", clibvirt_virTypedParamsFree_fn.self),
                defaultAuth: dlsym(h, "virConnectAuthPtrDefault")?.assumingMemoryBound(to: virConnectAuthPtr?.self).pointee))
        } catch {
            return .failure(error)
        }
    }
}

/// libvirt's QEMU library (libvirt-qemu.so.0: `virDomainQemuMonitorCommand`
/// and friends), loaded the same way, the first time a command needs it;
/// libvirt.so.0 is loaded by then (its connection made the domain).
struct LibvirtQemuAPI: @unchecked Sendable {
    let virDomainQemuMonitorCommand: clibvirt_virDomainQemuMonitorCommand_fn
    let virDomainQemuMonitorCommandWithFiles: clibvirt_virDomainQemuMonitorCommandWithFiles_fn

    /// The library, or why it cannot be loaded.
    static let shared: Result<LibvirtQemuAPI, VirshError> = load()

    static func load() -> Result<LibvirtQemuAPI, VirshError> {
        guard let h = dlopen("libvirt-qemu.so.0", RTLD_NOW | RTLD_GLOBAL) else {
            let why = dlerror().map { String(cString: $0) } ?? "unknown error"
            return .failure(VirshError(code: .noSupport, message: "cannot load libvirt's QEMU library: \(why)"))
        }
        func sym<T>(_ name: String, _: T.Type) throws(VirshError) -> T {
            guard let p = dlsym(h, name) else {
                throw VirshError(code: .noSupport, message: "libvirt's QEMU library lacks \(name)")
            }
            return unsafeBitCast(p, to: T.self)
        }
        do throws(VirshError) {
            return .success(LibvirtQemuAPI(
                virDomainQemuMonitorCommand: try sym("virDomainQemuMonitorCommand", clibvirt_virDomainQemuMonitorCommand_fn.self),
                virDomainQemuMonitorCommandWithFiles: try sym("virDomainQemuMonitorCommandWithFiles",
                                                              clibvirt_virDomainQemuMonitorCommandWithFiles_fn.self)))
        } catch {
            return .failure(error)
        }
    }
}

/// The loaded library. Everything below (and in the other Libvirt*
/// files) runs on behalf of a connection, whose opening loaded it
/// (`LibvirtLibrary.require()`).
var api: LibvirtAPI {
    switch LibvirtLibrary.ready {
    case .success(let api): return api
    case .failure(let error): preconditionFailure("libvirt used before a connection loaded it: \(error.message)")
    }
}

/// libvirt's library as a whole.
enum LibvirtLibrary {
    /// Loads the library, once, keeps it from printing errors itself
    /// (virsh does the same with `virSetErrorFunc(NULL, vshErrorHandler)`),
    /// and runs libvirt's default event loop on a thread of its own before
    /// any connection opens, as virsh does (`virEventRegisterDefaultImpl`,
    /// `vshEventLoop`): a remote connection delivers domain events only
    /// through an event loop that was there when it opened.
    static let ready: Result<LibvirtAPI, VirshError> = LibvirtAPI.shared.map { api in
        _ = api.virInitialize()
        api.virSetErrorFunc(nil) { _, _ in }
        if api.virEventRegisterDefaultImpl() == 0 {
            let loop = Thread {
                while api.virEventRunDefaultImpl() == 0 {}
            }
            loop.name = "libvirt-events"
            loop.start()
        }
        return api
    }

    /// The library, loaded; the error a connection reports when it cannot be.
    static func require() throws(VirshError) -> LibvirtAPI {
        try ready.get()
    }

    /// libvirt's own authentication callbacks (`virConnectAuthPtrDefault`,
    /// which prompts on the terminal).
    static var defaultAuth: virConnectAuthPtr? { api.defaultAuth }

    /// The version of the libvirt library in use (libvirt: `virGetVersion`);
    /// 0 when the library cannot be loaded.
    static func version() -> UInt64 {
        guard (try? require()) != nil else { return 0 }
        var v: UInt = 0
        guard api.virGetVersion(&v, nil, nil) == 0 else { return 0 }
        return UInt64(v)
    }

    /// The version the library's headers declare (`LIBVIR_VERSION_NUMBER`).
    static var headerVersion: UInt64 { UInt64(LIBVIR_VERSION_NUMBER) }

    /// The last error of this thread, then cleared (libvirt:
    /// `virGetLastError`, `virResetLastError`).
    static func lastError() -> VirshError {
        defer { api.virResetLastError() }
        guard let e = api.virGetLastError(), e.pointee.code != VIR_ERR_OK.rawValue else {
            return VirshError(code: .internalError, message: "unknown error")
        }
        let message = e.pointee.message.map { String(cString: $0) } ?? "unknown error"
        return VirshError(code: ErrorNumber(rawValue: e.pointee.code), message: message)
    }

    /// A string libvirt allocated, freed.
    static func take(_ p: UnsafeMutablePointer<CChar>?) -> String? {
        guard let p else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// A fixed-size C character array (imported as a tuple) as a string.
    static func string<T>(fromTuple tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Runs a blocking libvirt call on a thread of its own, so that the
    /// caller can watch the job meanwhile.
    static func blocking<R: Sendable>(_ body: @escaping @Sendable () -> R) async -> R {
        await withCheckedContinuation { (c: CheckedContinuation<R, Never>) in
            let t = Thread { c.resume(returning: body()) }
            t.stackSize = 1 << 20
            t.start()
        }
    }
}

/// Typed parameters in libvirt's C form, freed when done.
final class CTypedParams {
    var params: virTypedParameterPtr?
    var count: Int32 = 0
    var capacity: Int32 = 0

    init(_ list: [TypedParameter]) throws(VirshError) {
        for p in list {
            let rc: Int32
            switch p.value {
            case .int(let v): rc = api.virTypedParamsAddInt(&params, &count, &capacity, p.name, v)
            case .uint(let v): rc = api.virTypedParamsAddUInt(&params, &count, &capacity, p.name, v)
            case .llong(let v): rc = api.virTypedParamsAddLLong(&params, &count, &capacity, p.name, v)
            case .ullong(let v): rc = api.virTypedParamsAddULLong(&params, &count, &capacity, p.name, v)
            case .double(let v): rc = api.virTypedParamsAddDouble(&params, &count, &capacity, p.name, v)
            case .boolean(let v): rc = api.virTypedParamsAddBoolean(&params, &count, &capacity, p.name, v ? 1 : 0)
            case .string(let v): rc = api.virTypedParamsAddString(&params, &count, &capacity, p.name, v)
            }
            if rc < 0 { throw LibvirtLibrary.lastError() }
        }
    }

    deinit { api.virTypedParamsFree(params, count) }

    /// libvirt's C parameters as Swift values.
    static func decode(_ params: virTypedParameterPtr?, _ n: Int32) -> [TypedParameter] {
        guard let params, n > 0 else { return [] }
        return (0..<Int(n)).compactMap { i -> TypedParameter? in
            let p = params[i]
            let name = LibvirtLibrary.string(fromTuple: p.field)
            switch p.type {
            case Int32(VIR_TYPED_PARAM_INT.rawValue): return TypedParameter(name, .int(p.value.i))
            case Int32(VIR_TYPED_PARAM_UINT.rawValue): return TypedParameter(name, .uint(p.value.ui))
            case Int32(VIR_TYPED_PARAM_LLONG.rawValue): return TypedParameter(name, .llong(p.value.l))
            case Int32(VIR_TYPED_PARAM_ULLONG.rawValue): return TypedParameter(name, .ullong(p.value.ul))
            case Int32(VIR_TYPED_PARAM_DOUBLE.rawValue): return TypedParameter(name, .double(p.value.d))
            case Int32(VIR_TYPED_PARAM_BOOLEAN.rawValue): return TypedParameter(name, .boolean(p.value.b != 0))
            case Int32(VIR_TYPED_PARAM_STRING.rawValue):
                return TypedParameter(name, .string(p.value.s.map { String(cString: $0) } ?? ""))
            default: return nil
            }
        }
    }
}

/// A connection through libvirt's client library (`virConnectPtr`).
/// libvirt's connection objects are thread-safe.
final class LibvirtConnection: VirshConnection, @unchecked Sendable {
    let ptr: OpaquePointer
    private let closed = NSLock()
    private var isClosed = false

    private init(_ ptr: OpaquePointer) {
        self.ptr = ptr
    }

    /// libvirt: `virConnectOpenAuth` with the default authentication
    /// callback, as virsh opens its connections.
    static func open(_ uri: String, readonly: Bool) async throws(VirshError) -> LibvirtConnection {
        _ = try LibvirtLibrary.require()
        let flags = readonly ? UInt32(VIR_CONNECT_RO.rawValue) : 0
        guard let c = api.virConnectOpenAuth(uri, LibvirtLibrary.defaultAuth, flags) else {
            throw LibvirtLibrary.lastError()
        }
        return LibvirtConnection(c)
    }

    private func domain(_ p: OpaquePointer?) throws(VirshError) -> LibvirtDomain {
        guard let p else { throw LibvirtLibrary.lastError() }
        return LibvirtDomain(p)
    }

    func uri() async throws(VirshError) -> String {
        guard let s = LibvirtLibrary.take(api.virConnectGetURI(ptr)) else { throw LibvirtLibrary.lastError() }
        return s
    }

    func hostname() async throws(VirshError) -> String {
        guard let s = LibvirtLibrary.take(api.virConnectGetHostname(ptr)) else { throw LibvirtLibrary.lastError() }
        return s
    }

    func sysinfo() async throws(VirshError) -> String {
        guard let s = LibvirtLibrary.take(api.virConnectGetSysinfo(ptr, 0)) else { throw LibvirtLibrary.lastError() }
        return s
    }

    func freeMemory() async throws(VirshError) -> UInt64 {
        let m = api.virNodeGetFreeMemory(ptr)
        if m == 0 { throw LibvirtLibrary.lastError() }
        return UInt64(m)
    }

    func cellsFreeMemory(start: Int32, maxCells: Int32) async throws(VirshError) -> [UInt64] {
        var cells = [UInt64](repeating: 0, count: Int(max(maxCells, 0)))
        let n = cells.withUnsafeMutableBufferPointer { api.virNodeGetCellsFreeMemory(ptr, $0.baseAddress, start, maxCells) }
        guard n >= 0 else { throw LibvirtLibrary.lastError() }
        return Array(cells.prefix(Int(n)))
    }

    func capabilities() async throws(VirshError) -> String {
        guard let xml = LibvirtLibrary.take(api.virConnectGetCapabilities(ptr)) else { throw LibvirtLibrary.lastError() }
        return xml
    }

    func domainCapabilities(emulatorBin: String?, arch: String?, machine: String?, virtType: String?) async throws(VirshError) -> String {
        guard let xml = LibvirtLibrary.take(api.virConnectGetDomainCapabilities(ptr, emulatorBin, arch, machine, virtType, 0)) else {
            throw LibvirtLibrary.lastError()
        }
        return xml
    }

    func maxVcpus(type: String?) async throws(VirshError) -> Int32 {
        let n = api.virConnectGetMaxVcpus(ptr, type)
        guard n >= 0 else { throw LibvirtLibrary.lastError() }
        return n
    }

    func numaCellIDs() async throws(VirshError) -> [UInt64] {
        let xml = try await capabilities()
        guard let caps = try? XMLParser.parse(xml, url: "(capabilities)") else {
            throw VirshError(code: .xmlError, message: "unable to get node capabilities")
        }
        let cells = caps.child("host")?.child("topology")?.child("cells")?.children(named: "cell") ?? []
        return cells.compactMap { $0.attribute("id").flatMap { UInt64($0) } }
    }

    func restore(from path: String, xml: String?, flags: UInt32) async throws(VirshError) {
        let rc = await LibvirtLibrary.blocking { [self] () -> Result<Void, VirshError> in
            let rc = flags != 0 || xml != nil ? api.virDomainRestoreFlags(self.ptr, path, xml, flags) : api.virDomainRestore(self.ptr, path)
            return rc == 0 ? .success(()) : .failure(LibvirtLibrary.lastError())
        }
        try rc.get()
    }

    func nodeCPUCount() async throws(VirshError) -> Int {
        let n = api.virNodeGetCPUMap(ptr, nil, nil, 0)
        guard n >= 0 else { throw LibvirtLibrary.lastError() }
        return Int(n)
    }

    func nodeInfo() async throws(VirshError) -> VirshNodeInfo {
        var i = virNodeInfo()
        guard api.virNodeGetInfo(ptr, &i) == 0 else { throw LibvirtLibrary.lastError() }
        let model = withUnsafeBytes(of: &i.model) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return VirshNodeInfo(model: model, memory: UInt64(i.memory), cpus: i.cpus, mhz: i.mhz, nodes: i.nodes, sockets: i.sockets,
                             cores: i.cores, threads: i.threads)
    }

    func domainXMLToNative(format: String, xml: String) async throws(VirshError) -> String {
        guard let s = LibvirtLibrary.take(api.virConnectDomainXMLToNative(ptr, format, xml, 0)) else { throw LibvirtLibrary.lastError() }
        return s
    }

    func type() async throws(VirshError) -> String {
        guard let t = api.virConnectGetType(ptr) else { throw LibvirtLibrary.lastError() }
        return String(cString: t)
    }

    func hypervisorVersion() async throws(VirshError) -> UInt64 {
        var v: UInt = 0
        guard api.virConnectGetVersion(ptr, &v) == 0 else { throw LibvirtLibrary.lastError() }
        return UInt64(v)
    }

    func libVersion() async throws(VirshError) -> UInt64 {
        var v: UInt = 0
        guard api.virConnectGetLibVersion(ptr, &v) == 0 else { throw LibvirtLibrary.lastError() }
        return UInt64(v)
    }

    func securityModel() async throws(VirshError) -> (model: String, doi: String)? {
        var m = virSecurityModel()
        guard api.virNodeGetSecurityModel(ptr, &m) == 0 else {
            let e = LibvirtLibrary.lastError()
            if e.code == .noSupport { return nil }
            throw e
        }
        return (LibvirtLibrary.string(fromTuple: m.model), LibvirtLibrary.string(fromTuple: m.doi))
    }

    func lookup(id: Int32) async throws(VirshError) -> any VirshDomain {
        try domain(api.virDomainLookupByID(ptr, id))
    }

    func lookup(uuid: String) async throws(VirshError) -> any VirshDomain {
        try domain(api.virDomainLookupByUUIDString(ptr, uuid))
    }

    func lookup(name: String) async throws(VirshError) -> any VirshDomain {
        try domain(api.virDomainLookupByName(ptr, name))
    }

    func listAllDomains(_ flags: ListAllDomainsFlags) async throws(VirshError) -> [any VirshDomain] {
        var list: UnsafeMutablePointer<virDomainPtr?>?
        let n = api.virConnectListAllDomains(ptr, &list, flags.rawValue)
        guard n >= 0 else { throw LibvirtLibrary.lastError() }
        defer { free(list) }
        guard let list else { return [] }
        // Each handle now belongs to a LibvirtDomain, which frees it.
        return (0..<Int(n)).compactMap { i in list[i].map { LibvirtDomain($0) } }
    }

    func domainStats(_ doms: [any VirshDomain]?, stats: DomainStatsTypes, flags: UInt32) async throws(VirshError) -> [VirshDomainStats] {
        var records: UnsafeMutablePointer<virDomainStatsRecordPtr?>?
        let n: Int32
        if let doms {
            let handles = doms.compactMap { ($0 as? LibvirtDomain) }
            guard !handles.isEmpty else { return [] }
            // A NULL-terminated array of the handles, which stay the domains'.
            var list: [virDomainPtr?] = handles.map { $0.ptr } + [nil]
            n = list.withUnsafeMutableBufferPointer { api.virDomainListGetStats($0.baseAddress, stats.rawValue, &records, flags) }
        } else {
            n = api.virConnectGetAllDomainStats(ptr, stats.rawValue, &records, flags)
        }
        guard n >= 0 else { throw LibvirtLibrary.lastError() }
        defer { api.virDomainStatsRecordListFree(records) }
        guard let records else { return [] }
        var out: [VirshDomainStats] = []
        for i in 0..<Int(n) {
            guard let r = records[i]?.pointee, let dom = r.dom, let uuid = LibvirtDomain.uuidString(dom) else { continue }
            out.append(VirshDomainStats(name: LibvirtDomain.name(dom), uuid: uuid, params: CTypedParams.decode(r.params, r.nparams)))
        }
        return out
    }

    func createXML(_ xml: String, flags: DomainStartFlags) async throws(VirshError) -> any VirshDomain {
        try domain(api.virDomainCreateXML(ptr, xml, flags.rawValue))
    }

    func defineXML(_ xml: String, validate: Bool) async throws(VirshError) -> any VirshDomain {
        let p = validate ? api.virDomainDefineXMLFlags(ptr, xml, UInt32(VIR_DOMAIN_DEFINE_VALIDATE.rawValue))
                         : api.virDomainDefineXML(ptr, xml)
        return try domain(p)
    }

    func migrate(_ dom: any VirshDomain, to dconn: any VirshConnection, params: [TypedParameter],
                 flags: MigrateFlags) async throws(VirshError) -> any VirshDomain {
        guard let d = dom as? LibvirtDomain, let dest = dconn as? LibvirtConnection else {
            throw VirshError.unsupported("migration between a libvirt daemon and the embedded driver is not supported; use the same kind of URI on both sides")
        }
        let c = try CTypedParams(params)
        let result: Result<LibvirtDomain, VirshError> = await LibvirtLibrary.blocking { [c] in
            let p = api.virDomainMigrate3(d.ptr, dest.ptr, c.params, UInt32(c.count), flags.rawValue)
            guard let p else { return .failure(LibvirtLibrary.lastError()) }
            return .success(LibvirtDomain(p))
        }
        return try result.get()
    }

    func migrateToURI(_ dom: any VirshDomain, dconnuri: String, params: [TypedParameter],
                      flags: MigrateFlags) async throws(VirshError) {
        guard let d = dom as? LibvirtDomain else {
            throw VirshError.unsupported("the domain does not belong to this libvirt connection")
        }
        let c = try CTypedParams(params)
        let result: Result<Void, VirshError> = await LibvirtLibrary.blocking { [c] in
            api.virDomainMigrateToURI3(d.ptr, dconnuri, c.params, UInt32(c.count), flags.rawValue) == 0
                ? .success(()) : .failure(LibvirtLibrary.lastError())
        }
        try result.get()
    }

    func close() async {
        let first = closed.withLock { () -> Bool in
            defer { isClosed = true }
            return !isClosed
        }
        if first { _ = api.virConnectClose(ptr) }
    }
}

extension CTypedParams: @unchecked Sendable {}

/// A domain handle of libvirt's client library (`virDomainPtr`), freed
/// with the handle.
final class LibvirtDomain: VirshDomain, @unchecked Sendable {
    let ptr: OpaquePointer
    let name: String
    let uuid: String
    let id: Int?

    init(_ ptr: OpaquePointer) {
        self.ptr = ptr
        name = Self.name(ptr)
        uuid = Self.uuidString(ptr) ?? ""
        let i = api.virDomainGetID(ptr)
        id = i == UInt32.max ? nil : Int(i)
    }

    /// libvirt: `virDomainGetName` (empty when it has none).
    static func name(_ ptr: OpaquePointer) -> String {
        api.virDomainGetName(ptr).map { String(cString: $0) } ?? ""
    }

    /// libvirt: `virDomainGetUUIDString`.
    static func uuidString(_ ptr: OpaquePointer) -> String? {
        var buf = [CChar](repeating: 0, count: Int(VIR_UUID_STRING_BUFLEN))
        guard api.virDomainGetUUIDString(ptr, &buf) == 0 else { return nil }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { _ = api.virDomainFree(ptr) }

    private func check(_ rc: Int32) throws(VirshError) {
        if rc < 0 { throw LibvirtLibrary.lastError() }
    }

    private func flag(_ rc: Int32) throws(VirshError) -> Bool {
        try check(rc)
        return rc != 0
    }

    func osType() async throws(VirshError) -> String {
        guard let s = LibvirtLibrary.take(api.virDomainGetOSType(ptr)) else { throw LibvirtLibrary.lastError() }
        return s
    }

    func info() async throws(VirshError) -> VirshDomainInfo {
        var i = virDomainInfo()
        try check(api.virDomainGetInfo(ptr, &i))
        return VirshDomainInfo(state: Int32(i.state), maxMemory: UInt64(i.maxMem), memory: UInt64(i.memory),
                               vcpus: UInt32(i.nrVirtCpu), cpuTime: i.cpuTime)
    }

    func state() async throws(VirshError) -> (state: Int32, reason: Int32) {
        var s: Int32 = 0, r: Int32 = 0
        try check(api.virDomainGetState(ptr, &s, &r, 0))
        return (s, r)
    }

    func memoryStats() async throws(VirshError) -> [(tag: Int32, value: UInt64)] {
        var stats = [virDomainMemoryStatStruct](repeating: virDomainMemoryStatStruct(), count: Int(VIR_DOMAIN_MEMORY_STAT_NR.rawValue))
        let n = api.virDomainMemoryStats(ptr, &stats, UInt32(stats.count), 0)
        guard n >= 0 else { throw LibvirtLibrary.lastError() }
        return stats.prefix(Int(n)).map { (Int32($0.tag), UInt64($0.val)) }
    }

    func setMemoryStatsPeriod(_ seconds: Int32, flags: UInt32) async throws(VirshError) {
        try check(api.virDomainSetMemoryStatsPeriod(ptr, seconds, flags))
    }

    func save(to path: String, xml: String?, flags: UInt32) async throws(VirshError) {
        let rc = await LibvirtLibrary.blocking { [self] () -> Result<Void, VirshError> in
            let rc = flags != 0 || xml != nil ? api.virDomainSaveFlags(self.ptr, path, xml, flags) : api.virDomainSave(self.ptr, path)
            return rc == 0 ? .success(()) : .failure(LibvirtLibrary.lastError())
        }
        try rc.get()
    }

    func managedSave(flags: UInt32) async throws(VirshError) {
        let rc = await LibvirtLibrary.blocking { [self] () -> Result<Void, VirshError> in
            api.virDomainManagedSave(self.ptr, flags) == 0 ? .success(()) : .failure(LibvirtLibrary.lastError())
        }
        try rc.get()
    }

    func managedSaveRemove() async throws(VirshError) {
        try check(api.virDomainManagedSaveRemove(ptr, 0))
    }

    func metadata(type: Int32, uri: String?, flags: UInt32) async throws(VirshError) -> String {
        guard let s = LibvirtLibrary.take(api.virDomainGetMetadata(ptr, type, uri, flags)) else { throw LibvirtLibrary.lastError() }
        return s
    }

    func setMetadata(type: Int32, metadata: String?, key: String?, uri: String?, flags: UInt32) async throws(VirshError) {
        try check(api.virDomainSetMetadata(ptr, type, metadata, key, uri, flags))
    }

    /// Bit i of byte i/8 of vCPU v's `maplen` bytes (libvirt: `VIR_CPU_USED`).
    private static func maps(_ bytes: [UInt8], count: Int, maplen: Int, hostCPUs: Int) -> [[Bool]] {
        (0..<count).map { v in (0..<hostCPUs).map { i in bytes[v * maplen + i / 8] & (1 << UInt8(i % 8)) != 0 } }
    }

    func vcpus(maxInfo: Int, hostCPUs: Int) async throws(VirshError) -> [VirshVcpuInfo] {
        let maplen = (hostCPUs + 7) / 8
        var info = [virVcpuInfo](repeating: virVcpuInfo(), count: max(maxInfo, 1))
        var bytes = [UInt8](repeating: 0, count: max(maxInfo, 1) * maplen)
        let n = info.withUnsafeMutableBufferPointer { i in
            bytes.withUnsafeMutableBufferPointer { b in api.virDomainGetVcpus(ptr, i.baseAddress, Int32(maxInfo), b.baseAddress, Int32(maplen)) }
        }
        guard n >= 0 else { throw LibvirtLibrary.lastError() }
        let affinity = Self.maps(bytes, count: Int(n), maplen: maplen, hostCPUs: hostCPUs)
        return (0..<Int(n)).map {
            VirshVcpuInfo(number: info[$0].number, state: info[$0].state, cpuTime: info[$0].cpuTime, cpu: info[$0].cpu,
                          affinity: affinity[$0])
        }
    }

    func vcpuPinInfo(count: Int, hostCPUs: Int, flags: UInt32) async throws(VirshError) -> [[Bool]] {
        let maplen = (hostCPUs + 7) / 8
        var bytes = [UInt8](repeating: 0, count: max(count, 1) * maplen)
        let n = bytes.withUnsafeMutableBufferPointer { api.virDomainGetVcpuPinInfo(ptr, Int32(count), $0.baseAddress, Int32(maplen), flags) }
        guard n >= 0 else { throw LibvirtLibrary.lastError() }
        return Self.maps(bytes, count: min(Int(n), count), maplen: maplen, hostCPUs: hostCPUs)
    }

    func blockStats(_ path: String) async throws(VirshError) -> [TypedParameter] {
        var n: Int32 = 0
        guard api.virDomainBlockStatsFlags(ptr, path, nil, &n, 0) == 0 else { throw LibvirtLibrary.lastError() }
        var params = [virTypedParameter](repeating: virTypedParameter(), count: Int(max(n, 1)))
        let rc = params.withUnsafeMutableBufferPointer { api.virDomainBlockStatsFlags(ptr, path, $0.baseAddress, &n, 0) }
        guard rc == 0 else { throw LibvirtLibrary.lastError() }
        return params.withUnsafeMutableBufferPointer { CTypedParams.decode($0.baseAddress, n) }
    }

    func interfaceStats(_ device: String) async throws(VirshError) -> [Int64] {
        var s = virDomainInterfaceStatsStruct()
        guard api.virDomainInterfaceStats(ptr, device, &s, MemoryLayout<virDomainInterfaceStatsStruct>.size) == 0 else {
            throw LibvirtLibrary.lastError()
        }
        return [s.rx_bytes, s.rx_packets, s.rx_errs, s.rx_drop, s.tx_bytes, s.tx_packets, s.tx_errs, s.tx_drop]
    }

    func guestTime() async throws(VirshError) -> (seconds: Int64, nseconds: UInt32) {
        var seconds: Int64 = 0
        var nseconds: UInt32 = 0
        guard api.virDomainGetTime(ptr, &seconds, &nseconds, 0) == 0 else { throw LibvirtLibrary.lastError() }
        return (seconds, nseconds)
    }

    func setGuestTime(seconds: Int64, nseconds: UInt32, flags: UInt32) async throws(VirshError) {
        guard api.virDomainSetTime(ptr, seconds, nseconds, flags) == 0 else { throw LibvirtLibrary.lastError() }
    }

    func guestInfo(types: UInt32) async throws(VirshError) -> [TypedParameter] {
        var params: virTypedParameterPtr?
        var n: Int32 = 0
        try check(api.virDomainGetGuestInfo(ptr, types, &params, &n, 0))
        defer { api.virTypedParamsFree(params, n) }
        return CTypedParams.decode(params, n)
    }

    func interfaceAddresses(source: UInt32) async throws(VirshError) -> [VirshInterfaceAddresses] {
        var list: UnsafeMutablePointer<virDomainInterfacePtr?>?
        let n = api.virDomainInterfaceAddresses(ptr, &list, source, 0)
        guard n >= 0 else { throw LibvirtLibrary.lastError() }
        defer {
            for i in 0..<Int(n) { if let iface = list?[i] { api.virDomainInterfaceFree(iface) } }
            free(list)
        }
        return (0..<Int(n)).compactMap { i -> VirshInterfaceAddresses? in
            guard let iface = list?[i]?.pointee else { return nil }
            let addrs = (0..<Int(iface.naddrs)).compactMap { j -> (type: Int32, addr: String, prefix: UInt32)? in
                guard let a = iface.addrs?[j] else { return nil }
                return (a.type, a.addr.map { String(cString: $0) } ?? "", a.prefix)
            }
            return VirshInterfaceAddresses(name: iface.name.map { String(cString: $0) } ?? "",
                                           hwaddr: iface.hwaddr.map { String(cString: $0) }, addrs: addrs)
        }
    }

    func guestHostname(flags: UInt32) async throws(VirshError) -> String {
        guard let s = api.virDomainGetHostname(ptr, flags) else { throw LibvirtLibrary.lastError() }
        defer { free(s) }
        return String(cString: s)
    }

    func fsInfo() async throws(VirshError) -> [VirshFSInfo] {
        var list: UnsafeMutablePointer<virDomainFSInfoPtr?>?
        let n = api.virDomainGetFSInfo(ptr, &list, 0)
        guard n >= 0 else { throw LibvirtLibrary.lastError() }
        defer {
            for i in 0..<Int(n) { if let info = list?[i] { api.virDomainFSInfoFree(info) } }
            free(list)
        }
        return (0..<Int(n)).compactMap { i -> VirshFSInfo? in
            guard let info = list?[i]?.pointee else { return nil }
            let aliases = (0..<Int(info.ndevAlias)).compactMap { j in info.devAlias?[j].map { String(cString: $0) } }
            return VirshFSInfo(mountpoint: info.mountpoint.map { String(cString: $0) } ?? "", name: info.name.map { String(cString: $0) } ?? "",
                               fstype: info.fstype.map { String(cString: $0) } ?? "", devAliases: aliases)
        }
    }

    func blockStatsLegacy(_ path: String) async throws(VirshError) -> [Int64] {
        var s = virDomainBlockStatsStruct()
        guard api.virDomainBlockStats(ptr, path, &s, MemoryLayout<virDomainBlockStatsStruct>.size) == 0 else {
            throw LibvirtLibrary.lastError()
        }
        return [s.rd_req, s.rd_bytes, s.wr_req, s.wr_bytes, s.errs]
    }

    func openConsole(_ devName: String?, flags: UInt32) async throws(VirshError) -> any VirshConsoleStream {
        guard let conn = api.virDomainGetConnect(ptr), let st = api.virStreamNew(conn, UInt32(VIR_STREAM_NONBLOCK.rawValue)) else {
            throw LibvirtLibrary.lastError()
        }
        guard api.virDomainOpenConsole(ptr, devName, st, flags) == 0 else {
            let error = LibvirtLibrary.lastError()
            _ = api.virStreamFree(st)
            throw error
        }
        return LibvirtConsoleStream(st)
    }

    func attachDevice(_ xml: String, flags: UInt32?) async throws(VirshError) {
        try check(flags.map { api.virDomainAttachDeviceFlags(ptr, xml, $0) } ?? api.virDomainAttachDevice(ptr, xml))
    }

    func updateDevice(_ xml: String, flags: UInt32) async throws(VirshError) {
        try check(api.virDomainUpdateDeviceFlags(ptr, xml, flags))
    }

    func detachDevice(_ xml: String, flags: UInt32?) async throws(VirshError) {
        try check(flags.map { api.virDomainDetachDeviceFlags(ptr, xml, $0) } ?? api.virDomainDetachDevice(ptr, xml))
    }

    func controlInfo() async throws(VirshError) -> (state: Int32, details: Int32, stateTime: UInt64) {
        var i = virDomainControlInfo()
        try check(api.virDomainGetControlInfo(ptr, &i, 0))
        return (Int32(bitPattern: i.state), Int32(bitPattern: i.details), i.stateTime)
    }

    func isActive() async throws(VirshError) -> Bool { try flag(api.virDomainIsActive(ptr)) }
    func isPersistent() async throws(VirshError) -> Bool { try flag(api.virDomainIsPersistent(ptr)) }

    func autostart() async throws(VirshError) -> Bool {
        var a: Int32 = 0
        try check(api.virDomainGetAutostart(ptr, &a))
        return a != 0
    }

    func hasManagedSaveImage() async throws(VirshError) -> Bool { try flag(api.virDomainHasManagedSaveImage(ptr, 0)) }

    func securityLabel() async throws(VirshError) -> (label: String, enforcing: Bool) {
        var l = virSecurityLabel()
        try check(api.virDomainGetSecurityLabel(ptr, &l))
        // `char label[4097]` is too large for Swift to import as a field:
        // it starts the struct, `int enforcing` ends it.
        return withUnsafeBytes(of: &l) { raw -> (String, Bool) in
            let label = String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            let enforcing = raw.load(fromByteOffset: raw.count - MemoryLayout<Int32>.size, as: Int32.self)
            return (label, enforcing != 0)
        }
    }

    func messages() async throws(VirshError) -> [String] {
        var msgs: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let n = api.virDomainGetMessages(ptr, &msgs, 0)
        guard n >= 0 else { throw LibvirtLibrary.lastError() }
        guard let msgs else { return [] }
        defer { free(msgs) }
        return (0..<Int(n)).compactMap { LibvirtLibrary.take(msgs[$0]) }
    }

    func xmlDesc(_ flags: DomainXMLFlags) async throws(VirshError) -> String {
        guard let s = LibvirtLibrary.take(api.virDomainGetXMLDesc(ptr, flags.rawValue)) else { throw LibvirtLibrary.lastError() }
        return s
    }

    /// As virsh: the older API unless a flag must be passed.
    func create(_ flags: DomainStartFlags) async throws(VirshError) {
        try check(flags.isEmpty ? api.virDomainCreate(ptr) : api.virDomainCreateWithFlags(ptr, flags.rawValue))
    }

    func destroy(graceful: Bool) async throws(VirshError) {
        try check(graceful ? api.virDomainDestroyFlags(ptr, UInt32(VIR_DOMAIN_DESTROY_GRACEFUL.rawValue)) : api.virDomainDestroy(ptr))
    }

    func shutdown(flags: UInt32) async throws(VirshError) {
        try check(flags == 0 ? api.virDomainShutdown(ptr) : api.virDomainShutdownFlags(ptr, flags))
    }

    func reboot(flags: UInt32) async throws(VirshError) { try check(api.virDomainReboot(ptr, flags)) }
    func suspend() async throws(VirshError) { try check(api.virDomainSuspend(ptr)) }
    func resume() async throws(VirshError) { try check(api.virDomainResume(ptr)) }
    func reset() async throws(VirshError) { try check(api.virDomainReset(ptr, 0)) }
    func screenshot(screen: UInt32) async throws(VirshError) -> (mime: String, data: [UInt8]) {
        guard let conn = api.virDomainGetConnect(ptr), let st = api.virStreamNew(conn, 0) else {
            throw LibvirtLibrary.lastError()
        }
        defer { _ = api.virStreamFree(st) }
        guard let mimePointer = api.virDomainScreenshot(ptr, st, screen, 0) else { throw LibvirtLibrary.lastError() }
        let mime = String(cString: mimePointer)
        free(mimePointer)
        var data: [UInt8] = []
        var buf = [CChar](repeating: 0, count: 256 * 1024)
        while true {
            let n = api.virStreamRecv(st, &buf, buf.count)
            if n == 0 { break }
            guard n > 0 else {
                let error = LibvirtLibrary.lastError()
                _ = api.virStreamAbort(st)
                throw error
            }
            data += buf[0..<Int(n)].map { UInt8(bitPattern: $0) }
        }
        guard api.virStreamFinish(st) == 0 else { throw LibvirtLibrary.lastError() }
        return (mime, data)
    }

    func sendKey(codeset: UInt32, holdtime: UInt32, keycodes: [UInt32]) async throws(VirshError) {
        var codes = keycodes
        try check(api.virDomainSendKey(ptr, codeset, holdtime, &codes, Int32(codes.count), 0))
    }
    func setAutostart(_ on: Bool) async throws(VirshError) { try check(api.virDomainSetAutostart(ptr, on ? 1 : 0)) }
    func setMemory(kibibytes: UInt64, flags: UInt32) async throws(VirshError) {
        try check(api.virDomainSetMemoryFlags(ptr, UInt(kibibytes), flags))
    }
    func setVcpus(_ count: UInt32, flags: UInt32?) async throws(VirshError) {
        let rc = await LibvirtLibrary.blocking { [self] () -> Result<Void, VirshError> in
            let rc = flags.map { api.virDomainSetVcpusFlags(self.ptr, count, $0) } ?? api.virDomainSetVcpus(self.ptr, count)
            return rc == 0 ? .success(()) : .failure(LibvirtLibrary.lastError())
        }
        try rc.get()
    }
    func vcpuCount(flags: UInt32) async throws(VirshError) -> Int32 {
        let n = api.virDomainGetVcpusFlags(ptr, flags)
        try check(n)
        return n
    }
    /// As virsh: the older API unless a flag must be passed.
    func undefine(_ flags: DomainUndefineFlags) async throws(VirshError) {
        try check(flags.isEmpty ? api.virDomainUndefine(ptr) : api.virDomainUndefineFlags(ptr, flags.rawValue))
    }

    func jobStats(completed: Bool) async throws(VirshError) -> (type: Int32, params: [TypedParameter]) {
        var type: Int32 = 0
        var params: virTypedParameterPtr?
        var n: Int32 = 0
        let flags = completed ? UInt32(VIR_DOMAIN_JOB_STATS_COMPLETED.rawValue) : 0
        try check(api.virDomainGetJobStats(ptr, &type, &params, &n, flags))
        defer { api.virTypedParamsFree(params, n) }
        return (type, CTypedParams.decode(params, n))
    }

    func jobProgress() async throws(VirshError) -> VirshJobProgress {
        var i = virDomainJobInfo()
        try check(api.virDomainGetJobInfo(ptr, &i))
        return VirshJobProgress(type: DomainJobType(rawValue: i.type) ?? .none, dataTotal: i.dataTotal,
                                dataRemaining: i.dataRemaining, timeElapsed: i.timeElapsed,
                                timeRemaining: i.timeRemaining, dataProcessed: i.dataProcessed,
                                memTotal: i.memTotal, memProcessed: i.memProcessed, memRemaining: i.memRemaining,
                                fileTotal: i.fileTotal, fileProcessed: i.fileProcessed, fileRemaining: i.fileRemaining)
    }

    func abortJob() async throws(VirshError) { try check(api.virDomainAbortJob(ptr)) }

    func migrateSetMaxDowntime(_ milliseconds: UInt64) async throws(VirshError) {
        try check(api.virDomainMigrateSetMaxDowntime(ptr, milliseconds, 0))
    }

    func migrateGetMaxDowntime() async throws(VirshError) -> UInt64 {
        var value: UInt64 = 0
        try check(api.virDomainMigrateGetMaxDowntime(ptr, &value, 0))
        return value
    }

    func migrateSetMaxSpeed(_ bandwidth: UInt64, postcopy: Bool) async throws(VirshError) {
        try check(api.virDomainMigrateSetMaxSpeed(ptr, UInt(bandwidth), postcopy ? UInt32(VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY.rawValue) : 0))
    }

    func migrateGetMaxSpeed(postcopy: Bool) async throws(VirshError) -> UInt64 {
        var value: UInt = 0
        try check(api.virDomainMigrateGetMaxSpeed(ptr, &value, postcopy ? UInt32(VIR_DOMAIN_MIGRATE_MAX_SPEED_POSTCOPY.rawValue) : 0))
        return UInt64(value)
    }

    func upgradeCandidate() async throws(VirshError) -> QemuUpgradeCandidate {
        let reply = try await qemuMonitorCommand(#"{"execute":"query-version"}"#, hmp: false, fds: nil)
        guard let value = try? JSONValue(parsing: reply), let running = value["return"].flatMap(QemuVersion.init(qmp:)) else {
            throw VirshError(code: .internalError, message: ErrorNumber.internalError.format("unexpected query-version reply: \(reply)"))
        }
        let xml = try await xmlDesc([])
        let def: DomainDef
        do { def = try DomainDef.parse(xml) } catch { throw VirshError(error) }
        let emulator = def.emulator ?? QemuCommandLine.defaultEmulator
        let onDisk: QemuCaps
        do { onDisk = try QemuCapsCache(directory: nil).lookup(emulator) } catch { throw VirshError(error) }
        return QemuUpgradeCandidate(emulator: emulator, running: running, onDisk: onDisk.version, binaryReplaced: nil)
    }

    /// On a thread of its own: QEMU may take its time to answer.
    func qemuMonitorCommand(_ cmd: String, hmp: Bool, fds: [Int32]?) async throws(VirshError) -> String {
        let qemu = try LibvirtQemuAPI.shared.get()
        let flags = hmp ? UInt32(VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP.rawValue) : 0
        let outcome: Result<String, VirshError> = await LibvirtLibrary.blocking { [self] in
            var result: UnsafeMutablePointer<CChar>?
            let rc: Int32
            if var files = fds {
                rc = files.withUnsafeMutableBufferPointer { buf in
                    qemu.virDomainQemuMonitorCommandWithFiles(ptr, cmd, UInt32(buf.count), buf.baseAddress, nil, nil, &result, flags)
                }
            } else {
                rc = qemu.virDomainQemuMonitorCommand(ptr, cmd, &result, flags)
            }
            guard rc >= 0 else { return .failure(LibvirtLibrary.lastError()) }
            return .success(LibvirtLibrary.take(result) ?? "")
        }
        return try outcome.get()
    }
}
