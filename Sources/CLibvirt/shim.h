#ifndef CLIBVIRT_SHIM_H
#define CLIBVIRT_SHIM_H

#include <libvirt/libvirt.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>


/* Function types of the client library, for code that loads it with
 * dlopen only when it needs it (__typeof__ names no symbol). */
typedef __typeof__(virConnectClose) *clibvirt_virConnectClose_fn;
typedef __typeof__(virConnectDomainXMLToNative) *clibvirt_virConnectDomainXMLToNative_fn;
typedef __typeof__(virConnectGetAllDomainStats) *clibvirt_virConnectGetAllDomainStats_fn;
typedef __typeof__(virConnectGetHostname) *clibvirt_virConnectGetHostname_fn;
typedef __typeof__(virConnectGetLibVersion) *clibvirt_virConnectGetLibVersion_fn;
typedef __typeof__(virConnectGetType) *clibvirt_virConnectGetType_fn;
typedef __typeof__(virConnectGetURI) *clibvirt_virConnectGetURI_fn;
typedef __typeof__(virConnectGetVersion) *clibvirt_virConnectGetVersion_fn;
typedef __typeof__(virConnectListAllDomains) *clibvirt_virConnectListAllDomains_fn;
typedef __typeof__(virConnectOpenAuth) *clibvirt_virConnectOpenAuth_fn;
typedef __typeof__(virDomainAbortJob) *clibvirt_virDomainAbortJob_fn;
typedef __typeof__(virDomainCreate) *clibvirt_virDomainCreate_fn;
typedef __typeof__(virDomainCreateWithFlags) *clibvirt_virDomainCreateWithFlags_fn;
typedef __typeof__(virDomainCreateXML) *clibvirt_virDomainCreateXML_fn;
typedef __typeof__(virDomainDefineXML) *clibvirt_virDomainDefineXML_fn;
typedef __typeof__(virDomainDefineXMLFlags) *clibvirt_virDomainDefineXMLFlags_fn;
typedef __typeof__(virDomainDestroy) *clibvirt_virDomainDestroy_fn;
typedef __typeof__(virDomainDestroyFlags) *clibvirt_virDomainDestroyFlags_fn;
typedef __typeof__(virDomainFree) *clibvirt_virDomainFree_fn;
typedef __typeof__(virDomainGetAutostart) *clibvirt_virDomainGetAutostart_fn;
typedef __typeof__(virDomainGetControlInfo) *clibvirt_virDomainGetControlInfo_fn;
typedef __typeof__(virDomainGetID) *clibvirt_virDomainGetID_fn;
typedef __typeof__(virDomainGetInfo) *clibvirt_virDomainGetInfo_fn;
typedef __typeof__(virDomainGetJobInfo) *clibvirt_virDomainGetJobInfo_fn;
typedef __typeof__(virDomainGetJobStats) *clibvirt_virDomainGetJobStats_fn;
typedef __typeof__(virDomainGetMessages) *clibvirt_virDomainGetMessages_fn;
typedef __typeof__(virDomainGetName) *clibvirt_virDomainGetName_fn;
typedef __typeof__(virDomainGetOSType) *clibvirt_virDomainGetOSType_fn;
typedef __typeof__(virDomainGetSecurityLabel) *clibvirt_virDomainGetSecurityLabel_fn;
typedef __typeof__(virDomainGetState) *clibvirt_virDomainGetState_fn;
typedef __typeof__(virDomainGetUUIDString) *clibvirt_virDomainGetUUIDString_fn;
typedef __typeof__(virDomainGetXMLDesc) *clibvirt_virDomainGetXMLDesc_fn;
typedef __typeof__(virDomainHasManagedSaveImage) *clibvirt_virDomainHasManagedSaveImage_fn;
typedef __typeof__(virDomainIsActive) *clibvirt_virDomainIsActive_fn;
typedef __typeof__(virDomainIsPersistent) *clibvirt_virDomainIsPersistent_fn;
typedef __typeof__(virDomainListGetStats) *clibvirt_virDomainListGetStats_fn;
typedef __typeof__(virDomainLookupByID) *clibvirt_virDomainLookupByID_fn;
typedef __typeof__(virDomainLookupByName) *clibvirt_virDomainLookupByName_fn;
typedef __typeof__(virDomainLookupByUUIDString) *clibvirt_virDomainLookupByUUIDString_fn;
typedef __typeof__(virDomainMemoryStats) *clibvirt_virDomainMemoryStats_fn;
typedef __typeof__(virDomainMigrate3) *clibvirt_virDomainMigrate3_fn;
typedef __typeof__(virDomainMigrateToURI3) *clibvirt_virDomainMigrateToURI3_fn;
typedef __typeof__(virDomainMigrateGetMaxDowntime) *clibvirt_virDomainMigrateGetMaxDowntime_fn;
typedef __typeof__(virDomainMigrateGetMaxSpeed) *clibvirt_virDomainMigrateGetMaxSpeed_fn;
typedef __typeof__(virDomainMigrateSetMaxDowntime) *clibvirt_virDomainMigrateSetMaxDowntime_fn;
typedef __typeof__(virDomainMigrateSetMaxSpeed) *clibvirt_virDomainMigrateSetMaxSpeed_fn;
typedef __typeof__(virDomainReset) *clibvirt_virDomainReset_fn;
typedef __typeof__(virDomainResume) *clibvirt_virDomainResume_fn;
typedef __typeof__(virDomainSetAutostart) *clibvirt_virDomainSetAutostart_fn;
typedef __typeof__(virDomainStatsRecordListFree) *clibvirt_virDomainStatsRecordListFree_fn;
typedef __typeof__(virDomainSetMemoryFlags) *clibvirt_virDomainSetMemoryFlags_fn;
typedef __typeof__(virDomainSetMemoryStatsPeriod) *clibvirt_virDomainSetMemoryStatsPeriod_fn;
typedef __typeof__(virDomainShutdown) *clibvirt_virDomainShutdown_fn;
typedef __typeof__(virDomainSuspend) *clibvirt_virDomainSuspend_fn;
typedef __typeof__(virDomainUndefine) *clibvirt_virDomainUndefine_fn;
typedef __typeof__(virDomainUndefineFlags) *clibvirt_virDomainUndefineFlags_fn;
typedef __typeof__(virGetLastError) *clibvirt_virGetLastError_fn;
typedef __typeof__(virGetVersion) *clibvirt_virGetVersion_fn;
typedef __typeof__(virInitialize) *clibvirt_virInitialize_fn;
typedef __typeof__(virNodeGetInfo) *clibvirt_virNodeGetInfo_fn;
typedef __typeof__(virNodeGetSecurityModel) *clibvirt_virNodeGetSecurityModel_fn;
typedef __typeof__(virResetLastError) *clibvirt_virResetLastError_fn;
typedef __typeof__(virSetErrorFunc) *clibvirt_virSetErrorFunc_fn;
typedef __typeof__(virTypedParamsAddBoolean) *clibvirt_virTypedParamsAddBoolean_fn;
typedef __typeof__(virTypedParamsAddDouble) *clibvirt_virTypedParamsAddDouble_fn;
typedef __typeof__(virTypedParamsAddInt) *clibvirt_virTypedParamsAddInt_fn;
typedef __typeof__(virTypedParamsAddLLong) *clibvirt_virTypedParamsAddLLong_fn;
typedef __typeof__(virTypedParamsAddString) *clibvirt_virTypedParamsAddString_fn;
typedef __typeof__(virTypedParamsAddUInt) *clibvirt_virTypedParamsAddUInt_fn;
typedef __typeof__(virTypedParamsAddULLong) *clibvirt_virTypedParamsAddULLong_fn;
typedef __typeof__(virTypedParamsFree) *clibvirt_virTypedParamsFree_fn;

/* libvirt-qemu.so.0, loaded on its own when a command needs it. */
typedef __typeof__(virDomainQemuMonitorCommand) *clibvirt_virDomainQemuMonitorCommand_fn;
typedef __typeof__(virDomainQemuMonitorCommandWithFiles) *clibvirt_virDomainQemuMonitorCommandWithFiles_fn;

#endif
