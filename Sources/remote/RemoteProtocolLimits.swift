/// The limits of libvirt's wire protocol: every length read from the wire is
/// checked against one of these before anything is allocated.
///
/// libvirt: the `const` declarations of src/rpc/virnetprotocol.x and
/// src/remote/remote_protocol.x.
public enum RemoteProtocolLimits {
    /// `VIR_NET_MESSAGE_INITIAL`: the buffer a message starts with.
    public static let messageInitial = 65_536
    /// `VIR_NET_MESSAGE_MAX`: the largest message (header and payload,
    /// without the length word).
    public static let messageMax = 33_554_432
    /// `VIR_NET_MESSAGE_HEADER_MAX`: the header's size (six 4-byte words).
    public static let headerMax = 24
    /// `VIR_NET_MESSAGE_PAYLOAD_MAX`.
    public static let payloadMax = 33_554_408
    /// `VIR_NET_MESSAGE_LEN_MAX`: the length word.
    public static let lengthWord = 4
    /// `VIR_NET_MESSAGE_STRING_MAX`: strings of virnetprotocol.x (errors).
    public static let netStringMax = 4_194_304
    /// `VIR_NET_MESSAGE_NUM_FDS_MAX`.
    public static let numFDsMax = 32

    /// `REMOTE_STRING_MAX`: `remote_nonnull_string` and `remote_string`.
    public static let stringMax = 4_194_304
    /// `REMOTE_DOMAIN_LIST_MAX`: domains in one list.
    public static let domainListMax = 16_384
    /// `REMOTE_DOMAIN_SEND_KEY_MAX`.
    public static let domainSendKeyMax = 16
    /// `REMOTE_AUTH_TYPE_LIST_MAX`.
    public static let authTypeListMax = 20
    /// `REMOTE_MIGRATE_COOKIE_MAX`: a migration cookie (opaque).
    public static let migrateCookieMax = 4_194_304
    /// `REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX`: typed parameters of a migration phase.
    public static let migrateParamListMax = 64
    /// `REMOTE_DOMAIN_JOB_STATS_MAX`: typed parameters of job statistics.
    public static let jobStatsMax = 64
    /// `REMOTE_VCPUINFO_MAX`: vCPUs of `virDomainGetVcpus`.
    public static let vcpuInfoMax = 16384
    /// `REMOTE_CPUMAPS_MAX`: bytes of CPU maps.
    public static let cpuMapsMax = 8_388_608
    /// `REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX`.
    public static let blockStatsParametersMax = 16
    /// `REMOTE_NODE_MAX_CELLS`: NUMA cells of `virNodeGetCellsFreeMemory`.
    public static let nodeMaxCells = 1024
    /// `REMOTE_DOMAIN_MEMORY_STATS_MAX`: statistics of `virDomainMemoryStats`.
    public static let domainMemoryStatsMax = 1024
    /// `REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX`: typed parameters of one
    /// domain's statistics record.
    public static let domainStatsMax = 262_144
    /// `REMOTE_DOMAIN_FSINFO_MAX`: filesystems of `virDomainGetFSInfo`.
    public static let domainFSInfoMax = 256
    /// `REMOTE_DOMAIN_FSINFO_DISKS_MAX`: disks of one filesystem.
    public static let domainFSInfoDisksMax = 256
    /// `REMOTE_DOMAIN_GUEST_INFO_PARAMS_MAX`: typed parameters of
    /// `virDomainGetGuestInfo`.
    public static let domainGuestInfoParamsMax = 2048
    /// `REMOTE_DOMAIN_INTERFACE_MAX`, `REMOTE_DOMAIN_IP_ADDR_MAX`: the
    /// interfaces of `virDomainInterfaceAddresses`, and the addresses of one.
    public static let domainInterfaceMax = 2048
    public static let domainIPAddrMax = 2048
    /// `VIR_UUID_BUFLEN`: a UUID on the wire (fixed opaque).
    public static let uuidLength = 16
    /// `VIR_SECURITY_MODEL_BUFLEN` (`REMOTE_SECURITY_MODEL_MAX`).
    public static let securityModelMax = 257
    /// `VIR_SECURITY_DOI_BUFLEN` (`REMOTE_SECURITY_DOI_MAX`).
    public static let securityDOIMax = 257
    /// `VIR_SECURITY_LABEL_BUFLEN` (`REMOTE_SECURITY_LABEL_MAX`).
    public static let securityLabelMax = 4097
    /// `VIR_TYPED_PARAM_FIELD_LENGTH`: a typed parameter's name, with its NUL.
    public static let typedParamFieldLength = 80
}
