import domain_conf

/// `detach-disk`: finds the disk by target or source in the domain's XML
/// and detaches it (or prints it, `--print-xml`).
///
/// libvirt: `cmdDetachDisk`, `virshFindDisk` (tools/virsh-domain.c).
enum DetachDiskCommand: VirshCommand {
    static let name = "detach-disk"
    static let group = CommandGroup.domain
    static let help = "detach disk device"
    static let description = "Detach disk device."
    static let options: [OptionDef] = [.domainFull, .data("target", "target of disk device")] + DeviceChangeOptions.options
        + [.bool("print-xml", "print XML document rather than detach the disk")]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let given = DeviceChangeOptions.flags(cmd, ctl) else { return false }
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        guard case .success(let t) = cmd.string("target", ctl), let target = t else { return false }
        let text: String
        do { text = try await dom.xmlDesc(given == 2 ? .inactive : []) } catch {
            ctl.save(error)
            return false
        }
        let flags = await DeviceChangeOptions.callFlags(given, cmd, dom)
        guard let disk = DiskFinder.find(text, path: target, changeable: false, ctl) else { return false }
        let xml = disk.laidOut(depth: 2).dumped()
        if cmd.bool("print-xml") {
            ctl.print(xml)
            return true
        }
        do {
            try await dom.detachDevice(xml, flags: flags)
        } catch {
            ctl.error("Failed to detach disk")
            ctl.save(error)
            return false
        }
        ctl.printExtra("Disk detached successfully\n")
        return true
    }
}
