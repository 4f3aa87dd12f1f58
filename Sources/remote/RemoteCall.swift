import libvirt_abi

/// The typed signature of one procedure of any program: the args it
/// takes and what it returns.
public protocol ProgramCall {
    associatedtype Args: XDRCodable
    associatedtype Ret: XDRCodable
}

/// The typed signature of one procedure of the remote program: its number,
/// the args it takes and what it returns.
///
/// libvirt: one `REMOTE_PROC_*` with its `remote_*_args` / `remote_*_ret`
/// (src/remote/remote_protocol.x).
public protocol RemoteCall: ProgramCall {
    static var procedure: RemoteProcedure { get }
}

/// Every procedure this project serves, with its signature.
public enum RemoteCalls {
    /// `REMOTE_PROC_CONNECT_OPEN` (`virConnectOpen`).
    public enum ConnectOpen: RemoteCall {
        public typealias Args = ConnectOpenArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.connectOpen
    }
    /// `REMOTE_PROC_CONNECT_CLOSE` (`virConnectClose`).
    public enum ConnectClose: RemoteCall {
        public typealias Args = XDRVoid; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.connectClose
    }
    /// `REMOTE_PROC_CONNECT_GET_TYPE` (`virConnectGetType`).
    public enum ConnectGetType: RemoteCall {
        public typealias Args = XDRVoid; public typealias Ret = StringValue
        public static let procedure = RemoteProcedure.connectGetType
    }
    /// `REMOTE_PROC_CONNECT_GET_VERSION` (`virConnectGetVersion`).
    public enum ConnectGetVersion: RemoteCall {
        public typealias Args = XDRVoid; public typealias Ret = UHyperValue
        public static let procedure = RemoteProcedure.connectGetVersion
    }
    /// `REMOTE_PROC_CONNECT_GET_LIB_VERSION` (`virConnectGetLibVersion`).
    public enum ConnectGetLibVersion: RemoteCall {
        public typealias Args = XDRVoid; public typealias Ret = UHyperValue
        public static let procedure = RemoteProcedure.connectGetLibVersion
    }
    /// `REMOTE_PROC_NODE_GET_INFO` (`virNodeGetInfo`).
    public enum NodeGetInfo: RemoteCall {
        public typealias Args = XDRVoid; public typealias Ret = NodeGetInfoRet
        public static let procedure = RemoteProcedure.nodeGetInfo
    }
    /// `REMOTE_PROC_CONNECT_GET_CAPABILITIES` (`virConnectGetCapabilities`).
    public enum ConnectGetCapabilities: RemoteCall {
        public typealias Args = XDRVoid; public typealias Ret = StringValue
        public static let procedure = RemoteProcedure.connectGetCapabilities
    }
    /// `REMOTE_PROC_CONNECT_GET_MAX_VCPUS` (`virConnectGetMaxVcpus`).
    public enum ConnectGetMaxVcpus: RemoteCall {
        public typealias Args = OptionalStringValue; public typealias Ret = IntValue
        public static let procedure = RemoteProcedure.connectGetMaxVcpus
    }
    /// `REMOTE_PROC_CONNECT_GET_DOMAIN_CAPABILITIES` (`virConnectGetDomainCapabilities`).
    public enum ConnectGetDomainCapabilities: RemoteCall {
        public typealias Args = ConnectGetDomainCapabilitiesArgs; public typealias Ret = StringValue
        public static let procedure = RemoteProcedure.connectGetDomainCapabilities
    }
    /// `REMOTE_PROC_CONNECT_GET_HOSTNAME` (`virConnectGetHostname`).
    public enum ConnectGetHostname: RemoteCall {
        public typealias Args = XDRVoid; public typealias Ret = StringValue
        public static let procedure = RemoteProcedure.connectGetHostname
    }
    /// `REMOTE_PROC_CONNECT_GET_SYSINFO` (`virConnectGetSysinfo`).
    public enum ConnectGetSysinfo: RemoteCall {
        public typealias Args = UIntValue; public typealias Ret = StringValue
        public static let procedure = RemoteProcedure.connectGetSysinfo
    }
    /// `REMOTE_PROC_CONNECT_DOMAIN_XML_TO_NATIVE` (`virConnectDomainXMLToNative`).
    public enum ConnectDomainXMLToNative: RemoteCall {
        public typealias Args = ConnectDomainXMLToNativeArgs; public typealias Ret = StringValue
        public static let procedure = RemoteProcedure.connectDomainXMLToNative
    }
    /// `REMOTE_PROC_CONNECT_GET_URI` (`virConnectGetURI`).
    public enum ConnectGetURI: RemoteCall {
        public typealias Args = XDRVoid; public typealias Ret = StringValue
        public static let procedure = RemoteProcedure.connectGetURI
    }
    /// `REMOTE_PROC_CONNECT_SUPPORTS_FEATURE` (`virConnectSupportsFeature`).
    public enum ConnectSupportsFeature: RemoteCall {
        public typealias Args = IntValue; public typealias Ret = IntValue
        public static let procedure = RemoteProcedure.connectSupportsFeature
    }
    /// `REMOTE_PROC_CONNECT_IS_SECURE` (`virConnectIsSecure`).
    public enum ConnectIsSecure: RemoteCall {
        public typealias Args = XDRVoid; public typealias Ret = IntValue
        public static let procedure = RemoteProcedure.connectIsSecure
    }
    /// `REMOTE_PROC_AUTH_LIST` (the auth types the server offers).
    public enum AuthList: RemoteCall {
        public typealias Args = XDRVoid; public typealias Ret = AuthListRet
        public static let procedure = RemoteProcedure.authList
    }
    /// `REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK`.
    public enum ConnectRegisterCloseCallback: RemoteCall {
        public typealias Args = XDRVoid; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.connectRegisterCloseCallback
    }
    /// `REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK`.
    public enum ConnectUnregisterCloseCallback: RemoteCall {
        public typealias Args = XDRVoid; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.connectUnregisterCloseCallback
    }
    /// `REMOTE_PROC_NODE_GET_SECURITY_MODEL` (`virNodeGetSecurityModel`).
    public enum NodeGetSecurityModel: RemoteCall {
        public typealias Args = XDRVoid; public typealias Ret = NodeGetSecurityModelRet
        public static let procedure = RemoteProcedure.nodeGetSecurityModel
    }
    /// `REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS` (`virConnectListAllDomains`).
    public enum ConnectListAllDomains: RemoteCall {
        public typealias Args = ConnectListAllDomainsArgs; public typealias Ret = ConnectListAllDomainsRet
        public static let procedure = RemoteProcedure.connectListAllDomains
    }
    /// `REMOTE_PROC_CONNECT_LIST_DOMAINS` (`virConnectListDomains`: ids of running domains).
    public enum ConnectListDomains: RemoteCall {
        public typealias Args = IntValue; public typealias Ret = IntListRet
        public static let procedure = RemoteProcedure.connectListDomains
    }
    /// `REMOTE_PROC_CONNECT_NUM_OF_DOMAINS` (`virConnectNumOfDomains`).
    public enum ConnectNumOfDomains: RemoteCall {
        public typealias Args = XDRVoid; public typealias Ret = IntValue
        public static let procedure = RemoteProcedure.connectNumOfDomains
    }
    /// `REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS` (`virConnectListDefinedDomains`).
    public enum ConnectListDefinedDomains: RemoteCall {
        public typealias Args = IntValue; public typealias Ret = StringListRet
        public static let procedure = RemoteProcedure.connectListDefinedDomains
    }
    /// `REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS` (`virConnectNumOfDefinedDomains`).
    public enum ConnectNumOfDefinedDomains: RemoteCall {
        public typealias Args = XDRVoid; public typealias Ret = IntValue
        public static let procedure = RemoteProcedure.connectNumOfDefinedDomains
    }
    /// `REMOTE_PROC_DOMAIN_LOOKUP_BY_ID` (`virDomainLookupByID`).
    public enum DomainLookupByID: RemoteCall {
        public typealias Args = IntValue; public typealias Ret = DomainRet
        public static let procedure = RemoteProcedure.domainLookupByID
    }
    /// `REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME` (`virDomainLookupByName`).
    public enum DomainLookupByName: RemoteCall {
        public typealias Args = StringValue; public typealias Ret = DomainRet
        public static let procedure = RemoteProcedure.domainLookupByName
    }
    /// `REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID` (`virDomainLookupByUUID`).
    public enum DomainLookupByUUID: RemoteCall {
        public typealias Args = UUIDArgs; public typealias Ret = DomainRet
        public static let procedure = RemoteProcedure.domainLookupByUUID
    }
    /// `REMOTE_PROC_DOMAIN_DEFINE_XML` (`virDomainDefineXML`).
    public enum DomainDefineXML: RemoteCall {
        public typealias Args = StringValue; public typealias Ret = DomainRet
        public static let procedure = RemoteProcedure.domainDefineXML
    }
    /// `REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS` (`virDomainDefineXMLFlags`).
    public enum DomainDefineXMLFlags: RemoteCall {
        public typealias Args = StringFlagsArgs; public typealias Ret = DomainRet
        public static let procedure = RemoteProcedure.domainDefineXMLFlags
    }
    /// `REMOTE_PROC_DOMAIN_UNDEFINE` (`virDomainUndefine`).
    public enum DomainUndefine: RemoteCall {
        public typealias Args = DomainArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainUndefine
    }
    /// `REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS` (`virDomainUndefineFlags`).
    public enum DomainUndefineFlags: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainUndefineFlags
    }
    /// `REMOTE_PROC_DOMAIN_CREATE` (`virDomainCreate`).
    public enum DomainCreate: RemoteCall {
        public typealias Args = DomainArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainCreate
    }
    /// `REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS` (`virDomainCreateWithFlags`).
    public enum DomainCreateWithFlags: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = DomainRet
        public static let procedure = RemoteProcedure.domainCreateWithFlags
    }
    /// `REMOTE_PROC_DOMAIN_CREATE_XML` (`virDomainCreateXML`).
    public enum DomainCreateXML: RemoteCall {
        public typealias Args = StringFlagsArgs; public typealias Ret = DomainRet
        public static let procedure = RemoteProcedure.domainCreateXML
    }
    /// `REMOTE_PROC_DOMAIN_DESTROY` (`virDomainDestroy`).
    public enum DomainDestroy: RemoteCall {
        public typealias Args = DomainArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainDestroy
    }
    /// `REMOTE_PROC_DOMAIN_DESTROY_FLAGS` (`virDomainDestroyFlags`).
    public enum DomainDestroyFlags: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainDestroyFlags
    }
    /// `REMOTE_PROC_DOMAIN_SHUTDOWN` (`virDomainShutdown`).
    public enum DomainShutdown: RemoteCall {
        public typealias Args = DomainArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainShutdown
    }
    /// `REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS` (`virDomainShutdownFlags`).
    public enum DomainShutdownFlags: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainShutdownFlags
    }
    /// `REMOTE_PROC_DOMAIN_SET_MAX_MEMORY` (`virDomainSetMaxMemory`).
    public enum DomainSetMaxMemory: RemoteCall {
        public typealias Args = DomainHyperArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainSetMaxMemory
    }
    /// `REMOTE_PROC_DOMAIN_SET_MEMORY` (`virDomainSetMemory`).
    public enum DomainSetMemory: RemoteCall {
        public typealias Args = DomainHyperArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainSetMemory
    }
    /// `REMOTE_PROC_DOMAIN_SET_VCPUS` (`virDomainSetVcpus`).
    public enum DomainSetVcpus: RemoteCall {
        public typealias Args = DomainUIntArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainSetVcpus
    }
    /// `REMOTE_PROC_DOMAIN_SET_VCPUS_FLAGS` (`virDomainSetVcpusFlags`).
    public enum DomainSetVcpusFlags: RemoteCall {
        public typealias Args = DomainUIntFlagsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainSetVcpusFlags
    }
    /// `REMOTE_PROC_DOMAIN_GET_VCPUS_FLAGS` (`virDomainGetVcpusFlags`).
    public enum DomainGetVcpusFlags: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = IntValue
        public static let procedure = RemoteProcedure.domainGetVcpusFlags
    }
    /// `REMOTE_PROC_DOMAIN_SET_MEMORY_FLAGS` (`virDomainSetMemoryFlags`).
    public enum DomainSetMemoryFlags: RemoteCall {
        public typealias Args = DomainHyperFlagsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainSetMemoryFlags
    }
    /// `REMOTE_PROC_DOMAIN_INTERFACE_STATS` (`virDomainInterfaceStats`):
    /// the domain and the device.
    public enum DomainInterfaceStats: RemoteCall {
        public typealias Args = DomainXMLArgs; public typealias Ret = DomainInterfaceStatsRet
        public static let procedure = RemoteProcedure.domainInterfaceStats
    }
    /// `REMOTE_PROC_DOMAIN_GET_TIME` (`virDomainGetTime`).
    public enum DomainGetTime: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = DomainGetTimeRet
        public static let procedure = RemoteProcedure.domainGetTime
    }
    /// `REMOTE_PROC_DOMAIN_SET_TIME` (`virDomainSetTime`).
    public enum DomainSetTime: RemoteCall {
        public typealias Args = DomainSetTimeArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainSetTime
    }
    /// `REMOTE_PROC_DOMAIN_GET_FSINFO` (`virDomainGetFSInfo`).
    public enum DomainGetFSInfo: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = DomainGetFSInfoRet
        public static let procedure = RemoteProcedure.domainGetFSInfo
    }
    /// `REMOTE_PROC_DOMAIN_GET_GUEST_INFO` (`virDomainGetGuestInfo`).
    public enum DomainGetGuestInfo: RemoteCall {
        public typealias Args = DomainGetGuestInfoArgs; public typealias Ret = DomainGetGuestInfoRet
        public static let procedure = RemoteProcedure.domainGetGuestInfo
    }
    /// `REMOTE_PROC_DOMAIN_SAVE` (`virDomainSave`): the domain and the file.
    public enum DomainSave: RemoteCall {
        public typealias Args = DomainXMLArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainSave
    }
    /// `REMOTE_PROC_DOMAIN_SAVE_FLAGS` (`virDomainSaveFlags`).
    public enum DomainSaveFlags: RemoteCall {
        public typealias Args = DomainSaveFlagsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainSaveFlags
    }
    /// `REMOTE_PROC_DOMAIN_RESTORE` (`virDomainRestore`): the file.
    public enum DomainRestore: RemoteCall {
        public typealias Args = StringValue; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainRestore
    }
    /// `REMOTE_PROC_DOMAIN_RESTORE_FLAGS` (`virDomainRestoreFlags`).
    public enum DomainRestoreFlags: RemoteCall {
        public typealias Args = DomainRestoreFlagsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainRestoreFlags
    }
    /// `REMOTE_PROC_DOMAIN_MANAGED_SAVE` (`virDomainManagedSave`).
    public enum DomainManagedSave: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainManagedSave
    }
    /// `REMOTE_PROC_DOMAIN_MANAGED_SAVE_REMOVE` (`virDomainManagedSaveRemove`).
    public enum DomainManagedSaveRemove: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainManagedSaveRemove
    }
    /// `REMOTE_PROC_DOMAIN_SET_METADATA` (`virDomainSetMetadata`).
    public enum DomainSetMetadata: RemoteCall {
        public typealias Args = DomainSetMetadataArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainSetMetadata
    }
    /// `REMOTE_PROC_DOMAIN_GET_METADATA` (`virDomainGetMetadata`).
    public enum DomainGetMetadata: RemoteCall {
        public typealias Args = DomainGetMetadataArgs; public typealias Ret = StringValue
        public static let procedure = RemoteProcedure.domainGetMetadata
    }
    /// `REMOTE_PROC_DOMAIN_GET_VCPUS` (`virDomainGetVcpus`).
    public enum DomainGetVcpus: RemoteCall {
        public typealias Args = DomainGetVcpusArgs; public typealias Ret = DomainGetVcpusRet
        public static let procedure = RemoteProcedure.domainGetVcpus
    }
    /// `REMOTE_PROC_DOMAIN_GET_VCPU_PIN_INFO` (`virDomainGetVcpuPinInfo`).
    public enum DomainGetVcpuPinInfo: RemoteCall {
        public typealias Args = DomainGetVcpuPinInfoArgs; public typealias Ret = DomainGetVcpuPinInfoRet
        public static let procedure = RemoteProcedure.domainGetVcpuPinInfo
    }
    /// `REMOTE_PROC_DOMAIN_BLOCK_STATS_FLAGS` (`virDomainBlockStatsFlags`).
    public enum DomainBlockStatsFlags: RemoteCall {
        public typealias Args = DomainBlockStatsFlagsArgs; public typealias Ret = DomainBlockStatsFlagsRet
        public static let procedure = RemoteProcedure.domainBlockStatsFlags
    }
    /// `REMOTE_PROC_DOMAIN_OPEN_CONSOLE` (`virDomainOpenConsole`): the
    /// reply opens a stream with the call's serial.
    public enum DomainOpenConsole: RemoteCall {
        public typealias Args = DomainOpenConsoleArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainOpenConsole
    }
    /// `REMOTE_PROC_DOMAIN_ATTACH_DEVICE` (`virDomainAttachDevice`).
    public enum DomainAttachDevice: RemoteCall {
        public typealias Args = DomainXMLArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainAttachDevice
    }
    /// `REMOTE_PROC_DOMAIN_DETACH_DEVICE` (`virDomainDetachDevice`).
    public enum DomainDetachDevice: RemoteCall {
        public typealias Args = DomainXMLArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainDetachDevice
    }
    /// `REMOTE_PROC_DOMAIN_ATTACH_DEVICE_FLAGS` (`virDomainAttachDeviceFlags`).
    public enum DomainAttachDeviceFlags: RemoteCall {
        public typealias Args = DomainXMLFlagsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainAttachDeviceFlags
    }
    /// `REMOTE_PROC_DOMAIN_DETACH_DEVICE_FLAGS` (`virDomainDetachDeviceFlags`).
    public enum DomainDetachDeviceFlags: RemoteCall {
        public typealias Args = DomainXMLFlagsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainDetachDeviceFlags
    }
    /// `REMOTE_PROC_DOMAIN_UPDATE_DEVICE_FLAGS` (`virDomainUpdateDeviceFlags`).
    public enum DomainUpdateDeviceFlags: RemoteCall {
        public typealias Args = DomainXMLFlagsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainUpdateDeviceFlags
    }
    /// `REMOTE_PROC_DOMAIN_INTERFACE_ADDRESSES` (`virDomainInterfaceAddresses`).
    public enum DomainInterfaceAddresses: RemoteCall {
        public typealias Args = DomainInterfaceAddressesArgs; public typealias Ret = DomainInterfaceAddressesRet
        public static let procedure = RemoteProcedure.domainInterfaceAddresses
    }
    /// `REMOTE_PROC_DOMAIN_GET_HOSTNAME` (`virDomainGetHostname`).
    public enum DomainGetHostname: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = DomainGetHostnameRet
        public static let procedure = RemoteProcedure.domainGetHostname
    }
    /// `REMOTE_PROC_DOMAIN_REBOOT` (`virDomainReboot`).
    public enum DomainReboot: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainReboot
    }
    /// `REMOTE_PROC_DOMAIN_RESET` (`virDomainReset`).
    public enum DomainReset: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainReset
    }
    /// `REMOTE_PROC_DOMAIN_SCREENSHOT` (`virDomainScreenshot`): the image
    /// follows the reply as a stream.
    public enum DomainScreenshot: RemoteCall {
        public typealias Args = DomainScreenshotArgs; public typealias Ret = DomainScreenshotRet
        public static let procedure = RemoteProcedure.domainScreenshot
    }
    /// `REMOTE_PROC_DOMAIN_SEND_KEY` (`virDomainSendKey`).
    public enum DomainSendKey: RemoteCall {
        public typealias Args = DomainSendKeyArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainSendKey
    }
    /// `REMOTE_PROC_DOMAIN_SUSPEND` (`virDomainSuspend`).
    public enum DomainSuspend: RemoteCall {
        public typealias Args = DomainArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainSuspend
    }
    /// `REMOTE_PROC_DOMAIN_RESUME` (`virDomainResume`).
    public enum DomainResume: RemoteCall {
        public typealias Args = DomainArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainResume
    }
    /// `REMOTE_PROC_DOMAIN_GET_INFO` (`virDomainGetInfo`).
    public enum DomainGetInfo: RemoteCall {
        public typealias Args = DomainArgs; public typealias Ret = DomainGetInfoRet
        public static let procedure = RemoteProcedure.domainGetInfo
    }
    /// `REMOTE_PROC_DOMAIN_GET_STATE` (`virDomainGetState`).
    public enum DomainGetState: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = DomainGetStateRet
        public static let procedure = RemoteProcedure.domainGetState
    }
    /// `REMOTE_PROC_DOMAIN_GET_CONTROL_INFO` (`virDomainGetControlInfo`).
    public enum DomainGetControlInfo: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = DomainGetControlInfoRet
        public static let procedure = RemoteProcedure.domainGetControlInfo
    }
    /// `REMOTE_PROC_DOMAIN_GET_XML_DESC` (`virDomainGetXMLDesc`).
    public enum DomainGetXMLDesc: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = StringValue
        public static let procedure = RemoteProcedure.domainGetXMLDesc
    }
    /// `REMOTE_PROC_DOMAIN_GET_OS_TYPE` (`virDomainGetOSType`).
    public enum DomainGetOSType: RemoteCall {
        public typealias Args = DomainArgs; public typealias Ret = StringValue
        public static let procedure = RemoteProcedure.domainGetOSType
    }
    /// `REMOTE_PROC_DOMAIN_GET_MAX_MEMORY` (`virDomainGetMaxMemory`).
    public enum DomainGetMaxMemory: RemoteCall {
        public typealias Args = DomainArgs; public typealias Ret = UHyperValue
        public static let procedure = RemoteProcedure.domainGetMaxMemory
    }
    /// `REMOTE_PROC_DOMAIN_IS_ACTIVE` (`virDomainIsActive`).
    public enum DomainIsActive: RemoteCall {
        public typealias Args = DomainArgs; public typealias Ret = IntValue
        public static let procedure = RemoteProcedure.domainIsActive
    }
    /// `REMOTE_PROC_DOMAIN_IS_PERSISTENT` (`virDomainIsPersistent`).
    public enum DomainIsPersistent: RemoteCall {
        public typealias Args = DomainArgs; public typealias Ret = IntValue
        public static let procedure = RemoteProcedure.domainIsPersistent
    }
    /// `REMOTE_PROC_DOMAIN_GET_AUTOSTART` (`virDomainGetAutostart`).
    public enum DomainGetAutostart: RemoteCall {
        public typealias Args = DomainArgs; public typealias Ret = IntValue
        public static let procedure = RemoteProcedure.domainGetAutostart
    }
    /// `REMOTE_PROC_DOMAIN_SET_AUTOSTART` (`virDomainSetAutostart`).
    public enum DomainSetAutostart: RemoteCall {
        public typealias Args = DomainSetAutostartArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainSetAutostart
    }
    /// `REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE` (`virDomainHasManagedSaveImage`).
    public enum DomainHasManagedSaveImage: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = IntValue
        public static let procedure = RemoteProcedure.domainHasManagedSaveImage
    }
    /// `REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL` (`virDomainGetSecurityLabel`).
    public enum DomainGetSecurityLabel: RemoteCall {
        public typealias Args = DomainArgs; public typealias Ret = DomainGetSecurityLabelRet
        public static let procedure = RemoteProcedure.domainGetSecurityLabel
    }
    /// `REMOTE_PROC_DOMAIN_GET_JOB_INFO` (`virDomainGetJobInfo`).
    public enum DomainGetJobInfo: RemoteCall {
        public typealias Args = DomainArgs; public typealias Ret = DomainGetJobInfoRet
        public static let procedure = RemoteProcedure.domainGetJobInfo
    }
    /// `REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS` (`virConnectGetAllDomainStats`
    /// and, with domains, `virDomainListGetStats`).
    public enum ConnectGetAllDomainStats: RemoteCall {
        public typealias Args = ConnectGetAllDomainStatsArgs; public typealias Ret = ConnectGetAllDomainStatsRet
        public static let procedure = RemoteProcedure.connectGetAllDomainStats
    }
    /// `REMOTE_PROC_NODE_GET_CELLS_FREE_MEMORY` (`virNodeGetCellsFreeMemory`).
    public enum NodeGetCellsFreeMemory: RemoteCall {
        public typealias Args = NodeGetCellsFreeMemoryArgs; public typealias Ret = NodeGetCellsFreeMemoryRet
        public static let procedure = RemoteProcedure.nodeGetCellsFreeMemory
    }
    /// `REMOTE_PROC_NODE_GET_FREE_MEMORY` (`virNodeGetFreeMemory`).
    public enum NodeGetFreeMemory: RemoteCall {
        public typealias Args = XDRVoid; public typealias Ret = UHyperValue
        public static let procedure = RemoteProcedure.nodeGetFreeMemory
    }
    /// `REMOTE_PROC_DOMAIN_MEMORY_STATS` (`virDomainMemoryStats`).
    public enum DomainMemoryStats: RemoteCall {
        public typealias Args = DomainMemoryStatsArgs; public typealias Ret = DomainMemoryStatsRet
        public static let procedure = RemoteProcedure.domainMemoryStats
    }
    /// `REMOTE_PROC_DOMAIN_GET_JOB_STATS` (`virDomainGetJobStats`).
    public enum DomainGetJobStats: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = DomainGetJobStatsRet
        public static let procedure = RemoteProcedure.domainGetJobStats
    }
    /// `REMOTE_PROC_DOMAIN_MIGRATE_SET_MAX_DOWNTIME` (`virDomainMigrateSetMaxDowntime`).
    public enum DomainMigrateSetMaxDowntime: RemoteCall {
        public typealias Args = DomainHyperFlagsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainMigrateSetMaxDowntime
    }
    /// `REMOTE_PROC_DOMAIN_MIGRATE_GET_MAX_DOWNTIME` (`virDomainMigrateGetMaxDowntime`).
    public enum DomainMigrateGetMaxDowntime: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = UHyperValue
        public static let procedure = RemoteProcedure.domainMigrateGetMaxDowntime
    }
    /// `REMOTE_PROC_DOMAIN_MIGRATE_SET_MAX_SPEED` (`virDomainMigrateSetMaxSpeed`).
    public enum DomainMigrateSetMaxSpeed: RemoteCall {
        public typealias Args = DomainHyperFlagsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainMigrateSetMaxSpeed
    }
    /// `REMOTE_PROC_DOMAIN_MIGRATE_GET_MAX_SPEED` (`virDomainMigrateGetMaxSpeed`).
    public enum DomainMigrateGetMaxSpeed: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = UHyperValue
        public static let procedure = RemoteProcedure.domainMigrateGetMaxSpeed
    }
    /// `REMOTE_PROC_DOMAIN_ABORT_JOB` (`virDomainAbortJob`).
    public enum DomainAbortJob: RemoteCall {
        public typealias Args = DomainArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainAbortJob
    }
    /// `REMOTE_PROC_DOMAIN_ABORT_JOB_FLAGS` (`virDomainAbortJobFlags`).
    public enum DomainAbortJobFlags: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainAbortJobFlags
    }
    /// `REMOTE_PROC_DOMAIN_MIGRATE_BEGIN3_PARAMS` (`virDomainMigrateBegin3Params`).
    public enum DomainMigrateBegin3Params: RemoteCall {
        public typealias Args = DomainMigrateBegin3ParamsArgs; public typealias Ret = DomainMigrateBegin3ParamsRet
        public static let procedure = RemoteProcedure.domainMigrateBegin3Params
    }
    /// `REMOTE_PROC_DOMAIN_MIGRATE_PREPARE3_PARAMS` (`virDomainMigratePrepare3Params`).
    public enum DomainMigratePrepare3Params: RemoteCall {
        public typealias Args = DomainMigratePrepare3ParamsArgs; public typealias Ret = DomainMigratePrepare3ParamsRet
        public static let procedure = RemoteProcedure.domainMigratePrepare3Params
    }
    /// `REMOTE_PROC_DOMAIN_MIGRATE_PERFORM3_PARAMS` (`virDomainMigratePerform3Params`).
    public enum DomainMigratePerform3Params: RemoteCall {
        public typealias Args = DomainMigratePerform3ParamsArgs; public typealias Ret = CookieRet
        public static let procedure = RemoteProcedure.domainMigratePerform3Params
    }
    /// `REMOTE_PROC_DOMAIN_MIGRATE_FINISH3_PARAMS` (`virDomainMigrateFinish3Params`).
    public enum DomainMigrateFinish3Params: RemoteCall {
        public typealias Args = DomainMigrateFinish3ParamsArgs; public typealias Ret = DomainMigrateFinish3ParamsRet
        public static let procedure = RemoteProcedure.domainMigrateFinish3Params
    }
    /// `REMOTE_PROC_DOMAIN_MIGRATE_CONFIRM3_PARAMS` (`virDomainMigrateConfirm3Params`).
    public enum DomainMigrateConfirm3Params: RemoteCall {
        public typealias Args = DomainMigrateConfirm3ParamsArgs; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.domainMigrateConfirm3Params
    }
    /// `REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY`
    /// (`virConnectDomainEventRegisterAny`); returns the callback id.
    public enum ConnectDomainEventCallbackRegisterAny: RemoteCall {
        public typealias Args = EventCallbackRegisterAnyArgs; public typealias Ret = IntValue
        public static let procedure = RemoteProcedure.connectDomainEventCallbackRegisterAny
    }
    /// `REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY`
    /// (`virConnectDomainEventDeregisterAny`).
    public enum ConnectDomainEventCallbackDeregisterAny: RemoteCall {
        public typealias Args = IntValue; public typealias Ret = XDRVoid
        public static let procedure = RemoteProcedure.connectDomainEventCallbackDeregisterAny
    }
    /// `REMOTE_PROC_DOMAIN_GET_MESSAGES` (`virDomainGetMessages`).
    public enum DomainGetMessages: RemoteCall {
        public typealias Args = DomainFlagsArgs; public typealias Ret = DomainGetMessagesRet
        public static let procedure = RemoteProcedure.domainGetMessages
    }
}
