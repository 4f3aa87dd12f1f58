/// `attach-device`: adds the device an XML file describes.
///
/// libvirt: `cmdAttachDevice` (tools/virsh-domain.c).
enum AttachDeviceCommand: VirshCommand {
    static let name = "attach-device"
    static let group = CommandGroup.domain
    static let help = "attach device from an XML file"
    static let description = "Attach device from an XML <file>."
    static let options: [OptionDef] = [.domainFull, .data("file", "XML file")] + DeviceChangeOptions.options

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        await DeviceFileChange.run(cmd, ctl, attach: true)
    }
}
