/// A procedure number of the remote program. An open set: a client may
/// send any number; those this daemon serves have names here.
///
/// libvirt: `enum remote_procedure` (src/remote/remote_protocol.x).
public struct RemoteProcedure: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    init(_ v: Int32) { rawValue = v }

    public static let connectOpen = RemoteProcedure(1)
    public static let connectClose = RemoteProcedure(2)
    public static let connectGetType = RemoteProcedure(3)
    public static let connectGetVersion = RemoteProcedure(4)
    public static let nodeGetInfo = RemoteProcedure(6)
    public static let connectGetCapabilities = RemoteProcedure(7)
    public static let domainCreate = RemoteProcedure(9)
    public static let domainCreateXML = RemoteProcedure(10)
    public static let domainDefineXML = RemoteProcedure(11)
    public static let domainDestroy = RemoteProcedure(12)
    public static let domainGetXMLDesc = RemoteProcedure(14)
    public static let domainGetAutostart = RemoteProcedure(15)
    public static let domainGetInfo = RemoteProcedure(16)
    public static let domainGetMaxMemory = RemoteProcedure(17)
    public static let domainGetOSType = RemoteProcedure(19)
    public static let connectListDefinedDomains = RemoteProcedure(21)
    public static let domainLookupByID = RemoteProcedure(22)
    public static let domainLookupByName = RemoteProcedure(23)
    public static let domainLookupByUUID = RemoteProcedure(24)
    public static let connectNumOfDefinedDomains = RemoteProcedure(25)
    public static let domainResume = RemoteProcedure(28)
    public static let domainSetAutostart = RemoteProcedure(29)
    public static let domainShutdown = RemoteProcedure(33)
    public static let domainSuspend = RemoteProcedure(34)
    public static let domainUndefine = RemoteProcedure(35)
    public static let connectListDomains = RemoteProcedure(37)
    public static let connectNumOfDomains = RemoteProcedure(51)
    public static let connectGetHostname = RemoteProcedure(59)
    public static let connectSupportsFeature = RemoteProcedure(60)
    public static let authList = RemoteProcedure(66)
    public static let connectGetURI = RemoteProcedure(110)
    public static let domainGetSecurityLabel = RemoteProcedure(121)
    public static let nodeGetSecurityModel = RemoteProcedure(122)
    public static let connectIsSecure = RemoteProcedure(149)
    public static let domainIsActive = RemoteProcedure(150)
    public static let domainIsPersistent = RemoteProcedure(151)
    public static let connectGetLibVersion = RemoteProcedure(157)
    public static let domainGetJobInfo = RemoteProcedure(163)
    public static let domainAbortJob = RemoteProcedure(164)
    public static let domainHasManagedSaveImage = RemoteProcedure(183)
    public static let domainCreateWithFlags = RemoteProcedure(196)
    public static let domainGetState = RemoteProcedure(212)
    public static let domainGetControlInfo = RemoteProcedure(229)
    public static let domainUndefineFlags = RemoteProcedure(231)
    public static let domainDestroyFlags = RemoteProcedure(234)
    public static let domainShutdownFlags = RemoteProcedure(258)
    public static let connectListAllDomains = RemoteProcedure(273)
    public static let domainGetJobStats = RemoteProcedure(298)
    public static let domainMigrateBegin3Params = RemoteProcedure(302)
    public static let domainMigratePrepare3Params = RemoteProcedure(303)
    public static let domainMigratePerform3Params = RemoteProcedure(305)
    public static let domainMigrateFinish3Params = RemoteProcedure(306)
    public static let domainMigrateConfirm3Params = RemoteProcedure(307)
    public static let connectDomainEventCallbackRegisterAny = RemoteProcedure(316)
    public static let connectDomainEventCallbackDeregisterAny = RemoteProcedure(317)
    public static let domainEventCallbackLifecycle = RemoteProcedure(318)
    public static let domainDefineXMLFlags = RemoteProcedure(350)
    public static let connectRegisterCloseCallback = RemoteProcedure(360)
    public static let connectUnregisterCloseCallback = RemoteProcedure(361)
    public static let domainGetMessages = RemoteProcedure(426)
    public static let domainAbortJobFlags = RemoteProcedure(442)

    /// The public API the procedure carries, e.g. `virDomainGetXMLDesc`.
    public var apiName: String? { RemoteProcedureNames.apiName(rawValue) }

    public var description: String { apiName.map { "\($0) (\(rawValue))" } ?? "procedure \(rawValue)" }
}
