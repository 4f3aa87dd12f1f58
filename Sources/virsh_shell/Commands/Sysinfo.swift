/// `sysinfo`: the host's SMBIOS tables as `<sysinfo>` XML.
///
/// libvirt: `cmdSysinfo` (tools/virsh-host.c).
enum SysinfoCommand: VirshCommand {
    static let name = "sysinfo"
    static let group = CommandGroup.host
    static let help = "print the hypervisor sysinfo"
    static let description = "output an XML string for the hypervisor sysinfo, if available"

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        do {
            ctl.print(try await ctl.connected.sysinfo())
            return true
        } catch {
            ctl.save(error)
            ctl.error("failed to get sysinfo")
            return false
        }
    }
}
