/// `capabilities`: the host's and the emulators' capabilities as XML.
///
/// libvirt: `cmdCapabilities` (tools/virsh-host.c).
enum CapabilitiesCommand: VirshCommand {
    static let name = "capabilities"
    static let group = CommandGroup.host
    static let help = "capabilities"
    static let description = "Returns capabilities of hypervisor/driver."
    static let options: [OptionDef] = []

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        do {
            ctl.print(try await ctl.connected.capabilities() + "\n")
            return true
        } catch {
            ctl.save(error)
            ctl.error("failed to get capabilities")
            return false
        }
    }
}
