/// Why a domain is marked tainted: something was done to it that libvirt
/// cannot vouch for. A mark lasts as long as the QEMU instance it was set
/// on; the status file keeps it across driver restarts
/// (`<taint flag='custom-monitor'/>`), `virDomainGetMessages` reports it.
/// The numbers and words are libvirt's.
///
/// libvirt: `virDomainTaintFlags` (src/conf/domain_conf.h), `virDomainTaint`
/// and `virDomainTaintMessage` (src/conf/domain_conf.c).
public enum DomainTaint: Int, CaseIterable, Sendable, Comparable {
    case customArgv = 0
    case customMonitor
    case highPrivileges
    case shellScripts
    case diskProbing
    case externalLaunch
    case hostCPU
    case hookScript
    case cdromPassthrough
    case customDTB
    case customGACommand
    case customHypervisorFeature
    case deprecatedConfig
    case customDevice

    /// The word in status XML and the log (`virDomainTaintTypeToString`).
    public var name: String {
        switch self {
        case .customArgv: return "custom-argv"
        case .customMonitor: return "custom-monitor"
        case .highPrivileges: return "high-privileges"
        case .shellScripts: return "shell-scripts"
        case .diskProbing: return "disk-probing"
        case .externalLaunch: return "external-launch"
        case .hostCPU: return "host-cpu"
        case .hookScript: return "hook-script"
        case .cdromPassthrough: return "cdrom-passthrough"
        case .customDTB: return "custom-dtb"
        case .customGACommand: return "custom-ga-command"
        case .customHypervisorFeature: return "custom-hypervisor-feature"
        case .deprecatedConfig: return "deprecated-config"
        case .customDevice: return "custom-device"
        }
    }

    /// What `virDomainGetMessages` says after "tainted: "
    /// (`virDomainTaintMessageTypeToString`).
    public var message: String {
        switch self {
        case .customArgv: return "custom configuration parameters specified"
        case .customMonitor: return "custom monitor control commands issued"
        case .highPrivileges: return "running with undesirable elevated privileges"
        case .shellScripts: return "network configuration using opaque shell scripts"
        case .diskProbing: return "potentially unsafe disk format probing"
        case .externalLaunch: return "managing externally launched configuration"
        case .hostCPU: return "potentially unsafe use of host CPU passthrough"
        case .hookScript: return "configuration potentially modified by hook script"
        case .cdromPassthrough: return "use of host cdrom passthrough"
        case .customDTB: return "custom device tree blob used"
        case .customGACommand: return "custom guest agent control commands issued"
        case .customHypervisorFeature: return "hypervisor feature autodetection override"
        case .deprecatedConfig: return "use of deprecated configuration settings"
        case .customDevice: return "custom device configuration"
        }
    }

    /// The mark a status file names (`virDomainTaintTypeFromString`).
    public init?(name: String) {
        guard let t = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = t
    }

    public static func < (a: DomainTaint, b: DomainTaint) -> Bool { a.rawValue < b.rawValue }
}
