/// `detach-device`: removes the device an XML file describes.
///
/// libvirt: `cmdDetachDevice` (tools/virsh-domain.c).
enum DetachDeviceCommand: VirshCommand {
    static let name = "detach-device"
    static let group = CommandGroup.domain
    static let help = "detach device from an XML file"
    static let description = "Detach device from an XML <file>"
    static let options: [OptionDef] = [.domainFull, .data("file", "XML file")] + DeviceChangeOptions.options

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        await DeviceFileChange.run(cmd, ctl, attach: false)
    }
}
