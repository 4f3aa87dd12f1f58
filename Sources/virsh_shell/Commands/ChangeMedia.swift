import domain_conf

/// `change-media`: ejects, inserts or changes the medium of a CD-ROM or
/// floppy drive: the drive's XML as the domain has it, with the new
/// `<source>`, sent as a device update (or printed, `--print-xml`).
///
/// libvirt: `cmdChangeMedia`, `virshUpdateDiskXML` (tools/virsh-domain.c).
enum ChangeMediaCommand: VirshCommand {
    static let name = "change-media"
    static let group = CommandGroup.domain
    static let help = "Change media of CD or floppy drive"
    static let description = "Change media of CD or floppy drive."
    static let options: [OptionDef] = [
        .domainFull,
        .data("path", "Fully-qualified path or target of disk device"),
        .string("source", "source of the media"),
        .bool("eject", "Eject the media"),
        .bool("insert", "Insert the media"),
        .bool("update", "Update the media"),
        .bool("current", "can be either or both of --live and --config, depends on implementation hypervisor driver"),
        .bool("live", "alter live configuration of running domain"),
        .bool("config", "alter persistent configuration, effect observed on next boot"),
        .bool("force", "force media changing"),
        .bool("print-xml", "print XML document rather than change media"),
        .bool("block", "source media is a block device"),
    ]

    enum Action { case eject, insert, update }

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard cmd.exclusive("eject", "insert", ctl), cmd.exclusive("eject", "update", ctl), cmd.exclusive("insert", "update", ctl),
              cmd.exclusive("eject", "block", ctl) else { return false }
        guard case .success(let source) = cmd.string("source", ctl) else { return false }
        var eject = cmd.bool("eject"), update = cmd.bool("update")
        // virsh's documentation: an update without a source is an eject.
        if update && source == nil {
            update = false
            eject = true
        }
        let action: Action = eject ? .eject : cmd.bool("insert") ? .insert : .update
        guard cmd.exclusive("current", "live", ctl), cmd.exclusive("current", "config", ctl) else { return false }
        var flags: UInt32 = 0
        if cmd.bool("config") { flags |= 2 }
        if cmd.bool("live") { flags |= 1 }
        if cmd.bool("force") { flags |= 4 }
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        guard case .success(let p) = cmd.string("path", ctl), let path = p else { return false }
        let text: String
        do { text = try await dom.xmlDesc(flags & 2 != 0 ? .inactive : []) } catch {
            ctl.save(error)
            return false
        }
        guard let found = DiskFinder.find(text, path: path, changeable: true, ctl),
              let xml = updated(found.laidOut(depth: 2), source: action == .eject ? nil : source, block: cmd.bool("block") && action != .eject,
                                path: path, action: action, ctl) else { return false }
        if cmd.bool("print-xml") {
            ctl.print(xml)
            return true
        }
        do { try await dom.updateDevice(xml, flags: flags) } catch {
            let word = action == .eject ? "eject" : action == .insert ? "insert" : "update"
            ctl.error("Failed to complete action \(word) on media")
            ctl.save(error)
            return false
        }
        switch action {
        case .eject: ctl.print("Successfully ejected media.")
        case .insert: ctl.print("Successfully inserted media.")
        case .update: ctl.print("Successfully updated media.")
        }
        return true
    }

    /// The drive's element with its new source (none to eject), as virsh
    /// edits the node it parsed: the old `<source>` taken out where it was,
    /// the new one put before `<target>` with a copy of the indentation
    /// before it; `nil` (reported) when the change makes no sense.
    ///
    /// libvirt: `virshUpdateDiskXML`.
    @MainActor static func updated(_ disk: XMLElement, source new: String?, block: Bool, path: String, action: Action,
                                   _ ctl: Control) -> String? {
        guard ["cdrom", "floppy"].contains(disk.attribute("device") ?? "") else {
            ctl.error("The disk device '\(path)' is not removable")
            return nil
        }
        var e = disk
        let targetIndex = e.children.firstIndex { if case .element(let c) = $0 { return c.name == "target" } else { return false } }
        let indentation: XMLNode? = targetIndex.flatMap { i in e.children[..<i].last { if case .text = $0 { return true } else { return false } } }
        let sourceIndex = e.children.firstIndex { if case .element(let c) = $0 { return c.name == "source" } else { return false } }
        if action == .eject, sourceIndex == nil {
            ctl.error("The disk device '\(path)' doesn't have media")
            return nil
        }
        if action != .eject, new == nil {
            ctl.error("New disk media source was not specified")
            return nil
        }
        var startupPolicy: String?
        if let i = sourceIndex, case .element(let old) = e.children[i] {
            let oldPath = ["file", "dev", "dir", "pool", "name"].lazy.compactMap { old.attribute($0) }.first
            if oldPath != nil, action == .insert {
                ctl.error("The disk device '\(path)' already has media")
                return nil
            }
            startupPolicy = old.attribute("startupPolicy")
            e.children.remove(at: i)
        }
        e.setAttribute("type", block ? "block" : "file")
        if let new {
            var source = XMLElement("source", attributes: [XMLAttribute(block ? "dev" : "file", new)])
            if let startupPolicy { source.setAttribute("startupPolicy", startupPolicy) }
            let at = e.children.firstIndex { if case .element(let c) = $0 { return c.name == "target" } else { return false } }
                ?? e.children.endIndex
            e.children.insert(.element(source), at: at)
            if let indentation { e.children.insert(indentation, at: at + 1) }
        }
        return e.dumped()
    }
}
