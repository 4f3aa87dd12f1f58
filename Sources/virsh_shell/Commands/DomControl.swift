import Foundation

/// `domcontrol`: whether the driver can talk to the domain's QEMU now.
///
/// libvirt: `cmdDomControl` (tools/virsh-domain-monitor.c).
enum DomControlCommand: VirshCommand {
    static let name = "domcontrol"
    static let group = CommandGroup.monitor
    static let help = "domain control interface state"
    static let description = "Returns state of a control interface to the domain."
    static let options: [OptionDef] = [.domainFull]

    /// libvirt: `virshDomainControlState`, `virshDomainControlErrorReason`.
    static let states = ["ok", "background job", "occupied", "error"]
    static let errorReasons = ["", "unknown", "monitor failure", "internal (locking) error"]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        let info: (state: Int32, details: Int32, stateTime: UInt64)
        do { info = try await dom.controlInfo() } catch {
            ctl.save(error)
            return false
        }
        let word = states.indices.contains(Int(info.state)) ? states[Int(info.state)] : "unknown"
        if info.state != 0 && info.state != 3 {
            ctl.print(word + String(format: " (%0.3fs)\n", Double(info.stateTime) / 1000))
        } else if info.state == 3 && info.details > 0 {
            let reason = errorReasons.indices.contains(Int(info.details)) ? errorReasons[Int(info.details)] : "unknown"
            ctl.print("\(word): \(reason)\n")
        } else {
            ctl.print(word + "\n")
        }
        return true
    }
}
