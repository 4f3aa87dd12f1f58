/// `vncdisplay`: the address and display number of a running domain's
/// VNC server.
///
/// libvirt: `cmdVNCDisplay` (tools/virsh-domain.c).
enum VNCDisplayCommand: VirshCommand {
    static let name = "vncdisplay"
    static let group = CommandGroup.domain
    static let help = "vnc display"
    static let description = "Output the IP address and port number for the VNC display."
    static let options: [OptionDef] = [.domainFull]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl),
              let display = await GraphicsDisplay.of(dom, secure: false, ctl) else { return false }
        let vnc = display.first("vnc")
        guard let port = GraphicsDisplay.int(vnc, "port"), let vnc else {
            ctl.error("Failed to get VNC port. Is this domain using VNC?")
            return false
        }
        let listen = GraphicsDisplay.listen(vnc)
        if let listen, listen != "0.0.0.0" {
            ctl.print("\(listen):\(port - 5900)\n")
        } else {
            ctl.print(":\(port - 5900)\n")
        }
        return true
    }
}
