/// `domcapabilities`: what an emulator offers a domain of a type, machine
/// and architecture, as XML.
///
/// libvirt: `cmdDomCapabilities` (tools/virsh-host.c).
enum DomCapabilitiesCommand: VirshCommand {
    static let name = "domcapabilities"
    static let group = CommandGroup.host
    static let help = "domain capabilities"
    static let description = "Returns capabilities of emulator with respect to host and libvirt."
    static let options: [OptionDef] = [
        .string("virttype", "virtualization type (/domain/@type)"),
        .string("emulatorbin", "path to emulator binary (/domain/devices/emulator)"),
        .string("arch", "domain architecture (/domain/os/type/@arch)"),
        .string("machine", "machine type (/domain/os/type/@machine)"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard case .success(let virtType) = cmd.string("virttype", ctl),
              case .success(let emulator) = cmd.string("emulatorbin", ctl),
              case .success(let arch) = cmd.string("arch", ctl),
              case .success(let machine) = cmd.string("machine", ctl) else { return false }
        do {
            let xml = try await ctl.connected.domainCapabilities(emulatorBin: emulator, arch: arch, machine: machine,
                                                                 virtType: virtType)
            ctl.print(xml + "\n")
            return true
        } catch {
            ctl.save(error)
            ctl.error("failed to get emulator capabilities")
            return false
        }
    }
}
