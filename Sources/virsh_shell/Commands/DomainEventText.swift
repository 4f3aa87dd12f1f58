import Foundation
import libvirt_abi

/// How `virsh event` prints each event: the event names in libvirt's id
/// order and virsh's words for every number an event carries.
///
/// libvirt: `virshDomainEventCallbacks` and the `virshEvent*Print`
/// functions (tools/virsh-domain-event.c).
enum DomainEventText {
    /// `VIR_DOMAIN_EVENT_ID_*` order.
    static let names = [
        "lifecycle", "reboot", "rtc-change", "watchdog", "io-error", "graphics", "io-error-reason", "control-error",
        "block-job", "disk-change", "tray-change", "pm-wakeup", "pm-suspend", "balloon-change", "pm-suspend-disk",
        "device-removed", "block-job-2", "tunable", "agent-lifecycle", "device-added", "migration-iteration",
        "job-completed", "device-removal-failed", "metadata-change", "block-threshold", "memory-failure",
        "memory-device-size-change",
    ]

    private static let events = ["Defined", "Undefined", "Started", "Suspended", "Resumed", "Stopped", "Shutdown",
                                 "PMSuspended", "Crashed"]
    private static let details: [[String]] = [
        ["Added", "Updated", "Renamed", "Snapshot"],
        ["Removed", "Renamed"],
        ["Booted", "Migrated", "Restored", "Snapshot", "Event wakeup"],
        ["Paused", "Migrated", "I/O Error", "Watchdog", "Restored", "Snapshot", "API error", "Post-copy", "Post-copy Error"],
        ["Unpaused", "Migrated", "Snapshot", "Post-copy", "Post-copy Error"],
        ["Shutdown", "Destroyed", "Crashed", "Migrated", "Saved", "Failed", "Snapshot"],
        ["Finished", "Finished after guest request", "Finished after host request"],
        ["Memory", "Disk"],
        ["Panicked", "Crashloaded"],
    ]
    private static let watchdogActions = ["none", "pause", "reset", "poweroff", "shutdown", "debug", "inject-nmi"]
    private static let ioErrorActions = ["none", "pause", "report"]
    private static let graphicsPhases = ["connect", "initialize", "disconnect"]
    private static let graphicsFamilies = ["IPv4", "IPv6", "unix"]
    private static let blockJobTypes = ["Unknown job", "Block Pull", "Block Copy", "Block Commit", "Active Block Commit", "Backup"]
    private static let blockJobStatuses = ["completed", "failed", "canceled", "ready"]
    private static let diskChangeReasons = ["changed", "dropped"]
    private static let trayChangeReasons = ["opened", "closed"]
    private static let agentStates = ["unknown", "connected", "disconnected"]
    private static let agentReasons = ["unknown", "domain started", "channel event"]
    private static let metadataTypes = ["description", "title", "element"]
    private static let memoryFailureRecipients = ["hypervisor", "guest"]
    private static let memoryFailureActions = ["ignore", "inject", "fatal", "reset"]

    private static func word(_ table: [String], _ n: Int32, or fallback: String = "unknown") -> String {
        table.indices.contains(Int(n)) ? table[Int(n)] : fallback
    }

    /// libvirt: `virTypedParameterToString`.
    static func value(_ v: TypedParameter.Value) -> String {
        switch v {
        case .int(let n): return String(n)
        case .uint(let n): return String(n)
        case .llong(let n): return String(n)
        case .ullong(let n): return String(n)
        case .double(let d): return String(format: "%g", d)
        case .boolean(let b): return b ? "1" : "0"
        case .string(let s): return s
        }
    }

    private static func parameters(_ params: [TypedParameter]) -> String {
        params.map { "\t\($0.name): \(value($0.value))\n" }.joined()
    }

    /// The text virsh prints for `e`, newline included.
    static func text(_ e: VirshDomainEvent) -> String {
        let name = names.indices.contains(Int(e.eventID)) ? names[Int(e.eventID)] : "unknown"
        let dom = e.domainName
        switch e.kind {
        case .generic:
            return "event '\(name)' for domain '\(dom)'\n"
        case .lifecycle(let event, let detail):
            let d = details.indices.contains(Int(event)) ? word(details[Int(event)], detail) : "unknown"
            return "event 'lifecycle' for domain '\(dom)': \(word(events, event)) \(d)\n"
        case .rtcChange(let offset):
            return "event 'rtc-change' for domain '\(dom)': \(offset)\n"
        case .watchdog(let action):
            return "event 'watchdog' for domain '\(dom)': \(word(watchdogActions, action))\n"
        case .ioError(let src, let alias, let action):
            return "event 'io-error' for domain '\(dom)': \(src) (\(alias)) \(word(ioErrorActions, action))\n"
        case .graphics(let phase, let local, let remote, let auth, let identities):
            var s = "event 'graphics' for domain '\(dom)': \(word(graphicsPhases, phase)) "
            s += "local[\(word(graphicsFamilies, local.family)) \(local.node) \(local.service)] "
            s += "remote[\(word(graphicsFamilies, remote.family)) \(remote.node) \(remote.service)] \(auth)\n"
            return s + identities.map { "\t\($0.type)=\($0.name)\n" }.joined()
        case .ioErrorReason(let src, let alias, let action, let reason):
            return "event 'io-error-reason' for domain '\(dom)': \(src) (\(alias)) \(word(ioErrorActions, action)) due to \(reason)\n"
        case .blockJob(let disk, let type, let status):
            return "event '\(name)' for domain '\(dom)': \(word(blockJobTypes, type, or: "Unknown job")) for \(disk) "
                + "\(word(blockJobStatuses, status))\n"
        case .diskChange(let old, let new, let alias, let reason):
            return "event 'disk-change' for domain '\(dom)' disk \(alias): \(old ?? "<null>") -> \(new ?? "<null>"): "
                + "\(word(diskChangeReasons, reason))\n"
        case .trayChange(let alias, let reason):
            return "event 'tray-change' for domain '\(dom)' disk \(alias): \(word(trayChangeReasons, reason))\n"
        case .balloonChange(let actual):
            return "event 'balloon-change' for domain '\(dom)': \(actual)KiB\n"
        case .deviceRemoved(let alias):
            return "event 'device-removed' for domain '\(dom)': \(alias)\n"
        case .tunable(let params):
            return "event 'tunable' for domain '\(dom)':\n" + parameters(params)
        case .agentLifecycle(let state, let reason):
            return "event 'agent-lifecycle' for domain '\(dom)': state: '\(word(agentStates, state, or: "unsupported value"))' "
                + "reason: '\(word(agentReasons, reason, or: "unsupported value"))'\n"
        case .deviceAdded(let alias):
            return "event 'device-added' for domain '\(dom)': \(alias)\n"
        case .migrationIteration(let n):
            return "event 'migration-iteration' for domain '\(dom)': iteration: '\(n)'\n"
        case .jobCompleted(let params):
            return "event 'job-completed' for domain '\(dom)':\n" + parameters(params)
        case .deviceRemovalFailed(let alias):
            return "event 'device-removal-failed' for domain '\(dom)': \(alias)\n"
        case .metadataChange(let type, let nsuri):
            return "event 'metadata-change' for domain '\(dom)': type \(word(metadataTypes, type, or: "unsupported value")), "
                + "uri \(nsuri ?? "<null>")\n"
        case .blockThreshold(let dev, let path, let threshold, let excess):
            return "event 'block-threshold' for domain '\(dom)': dev: \(dev)(\(path ?? "<null>")) \(threshold) \(excess)\n"
        case .memoryFailure(let recipient, let action, let flags):
            return "event 'memory-failure' for domain '\(dom)':\n"
                + "recipient: \(word(memoryFailureRecipients, recipient, or: "unsupported value"))\n"
                + "action: \(word(memoryFailureActions, action, or: "unsupported value"))\n"
                + "flags:\n\taction required: \(flags & 1 != 0 ? 1 : 0)\n\trecursive: \(flags & 2 != 0 ? 1 : 0)\n"
        case .memoryDeviceSizeChange(let alias, let size):
            return "event 'memory-device-size-change' for domain '\(dom)':\nalias: \(alias)\nsize: \(size)\n"
        }
    }
}
