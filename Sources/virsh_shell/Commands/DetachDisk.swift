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
        let xml = dump(disk, depth: 2)
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

    /// An element as libxml2 writes one node of the domain XML back
    /// (`virXMLNodeToString`): double-quoted attributes, and the indenting
    /// of the document it came from (two spaces a level, `depth` its own).
    static func dump(_ e: XMLElement, depth: Int) -> String {
        var s = "<" + e.name
        for a in e.attributes {
            s += " \(a.name)=\"" + escapeAttribute(a.value) + "\""
        }
        let elements = e.elements
        if elements.isEmpty {
            let text = e.text
            return text.isEmpty ? s + "/>" : s + ">" + escapeText(text) + "</\(e.name)>"
        }
        s += ">"
        let inner = String(repeating: "  ", count: depth + 1)
        for child in elements { s += "\n" + inner + dump(child, depth: depth + 1) }
        return s + "\n" + String(repeating: "  ", count: depth) + "</\(e.name)>"
    }

    static func escapeText(_ t: String) -> String {
        t.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    static func escapeAttribute(_ t: String) -> String {
        escapeText(t).replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "\n", with: "&#10;")
            .replacingOccurrences(of: "\r", with: "&#13;").replacingOccurrences(of: "\t", with: "&#9;")
    }
}
