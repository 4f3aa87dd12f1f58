/// Domain event ids (`virDomainEventID`), the numbers are libvirt's.
///
/// libvirt: `virDomainEventID` (include/libvirt/libvirt-domain.h).
public enum DomainEventID: Int32, Sendable {
    case lifecycle = 0
    case reboot = 1
    case rtcChange = 2
    case watchdog = 3
    case ioError = 4
    case graphics = 5
    case ioErrorReason = 6
    case controlError = 7
    case blockJob = 8
    case diskChange = 9
    case trayChange = 10
    case pmWakeup = 11
    case pmSuspend = 12
    case balloonChange = 13
    case pmSuspendDisk = 14
    case deviceRemoved = 15
    case blockJob2 = 16
    case tunable = 17
    case agentLifecycle = 18
    case deviceAdded = 19
    case migrationIteration = 20
    case jobCompleted = 21
    case deviceRemovalFailed = 22
    case metadataChange = 23
    case blockThreshold = 24
    case memoryFailure = 25
    case memoryDeviceSizeChange = 26
}

/// A lifecycle event: its type (`virDomainEventType`) and detail, the
/// numbers are libvirt's.
///
/// libvirt: `virDomainEventType` and the `virDomainEvent*DetailType` enums.
public enum LifecycleEvent: Hashable, Sendable {
    case defined(Int32)
    case undefined(Int32)
    case started(StartedDetail)
    case suspended(SuspendedDetail)
    case resumed(ResumedDetail)
    case stopped(StoppedDetail)
    case shutdown(Int32)
    case pmSuspended(Int32)
    case crashed(Int32)

    public enum StartedDetail: Int32, Sendable { case booted = 0, migrated, restored, fromSnapshot, wakeup }
    public enum SuspendedDetail: Int32, Sendable {
        case paused = 0, migrated, ioError, watchdog, restored, fromSnapshot, apiError, postcopy, postcopyFailed
    }
    public enum ResumedDetail: Int32, Sendable { case unpaused = 0, migrated, fromSnapshot, postcopy, postcopyFailed }
    public enum StoppedDetail: Int32, Sendable {
        case shutdown = 0, destroyed, crashed, migrated, saved, failed, fromSnapshot
    }

    /// `virDomainEventDefinedDetailType` values.
    public static let definedAdded: Int32 = 0
    public static let definedUpdated: Int32 = 1
    public static let undefinedRemoved: Int32 = 0

    /// libvirt's event type number.
    public var type: Int32 {
        switch self {
        case .defined: return 0
        case .undefined: return 1
        case .started: return 2
        case .suspended: return 3
        case .resumed: return 4
        case .stopped: return 5
        case .shutdown: return 6
        case .pmSuspended: return 7
        case .crashed: return 8
        }
    }

    /// libvirt's detail number.
    public var detail: Int32 {
        switch self {
        case .defined(let d), .undefined(let d), .shutdown(let d), .pmSuspended(let d), .crashed(let d): return d
        case .started(let d): return d.rawValue
        case .suspended(let d): return d.rawValue
        case .resumed(let d): return d.rawValue
        case .stopped(let d): return d.rawValue
        }
    }
}
