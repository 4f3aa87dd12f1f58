/// What `attach-device` and `detach-device` share.
enum DeviceFileChange {
    @MainActor static func run(_ cmd: ParsedCommand, _ ctl: Control, attach: Bool) async -> Bool {
        guard let given = DeviceChangeOptions.flags(cmd, ctl) else { return false }
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        // attach-device asks whether the domain runs before reading the
        // file name, detach-device after; both before reading the file.
        let flags = await DeviceChangeOptions.callFlags(given, cmd, dom)
        guard case .success(let f) = cmd.string("file", ctl), let file = f else { return false }
        guard let xml = XMLFile.read(file, ctl) else { return false }
        do {
            if attach { try await dom.attachDevice(xml, flags: flags) } else { try await dom.detachDevice(xml, flags: flags) }
        } catch {
            ctl.error("Failed to \(attach ? "attach" : "detach") device from \(file)")
            ctl.save(error)
            return false
        }
        ctl.printExtra(attach ? "Device attached successfully\n" : "Device detached successfully\n")
        return true
    }
}
