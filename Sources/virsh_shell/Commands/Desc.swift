import Foundation
import Glibc
import libvirt_abi

/// `desc`: shows or sets a domain's description or (`--title`) title, on
/// the command line or in `$VISUAL`/`$EDITOR` (`--edit`).
///
/// libvirt: `cmdDesc` (tools/virsh-domain.c), `virshGetDomainDescription`
/// (tools/virsh-domain-monitor.c), `vshEditWriteToTempFile`, `vshEditFile`,
/// `vshEditReadBackFile` (tools/vsh.c).
enum DescCommand: VirshCommand {
    static let name = "desc"
    static let group = CommandGroup.domain
    static let help = "show or set domain's description or title"
    static let description = "Allows setting or modifying the description or title of a domain."
    static let options: [OptionDef] = [
        .domainFull,
        .bool("live", "modify/get running state"),
        .bool("config", "modify/get persistent configuration"),
        .bool("current", "modify/get current state configuration"),
        .bool("title", "modify/get the title instead of description"),
        .bool("edit", "open an editor to modify the description"),
        OptionDef(name: "new-desc", kind: .argv, help: "message"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard cmd.exclusive("current", "live", ctl), cmd.exclusive("current", "config", ctl) else { return false }
        var flags: UInt32 = 0
        if cmd.bool("config") { flags |= 2 }
        if cmd.bool("live") { flags |= 1 }
        // VIR_DOMAIN_XML_INACTIVE, which is VIR_DOMAIN_AFFECT_CONFIG's bit.
        let queryFlags: UInt32 = cmd.bool("config") ? 2 : 0
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        do { _ = try await dom.state() } catch {
            ctl.save(error)
            return false
        }
        let title = cmd.bool("title")
        let type = title ? DomainMetadataKind.title : DomainMetadataKind.description
        let words = cmd.argv("new-desc")
        let given = words.isEmpty ? nil : words.joined(separator: " ").trimmingCharacters(in: CharacterSet(charactersIn: " "))
        let what = title ? "title" : "description"

        guard cmd.bool("edit") || given != nil else {
            guard let desc = await current(dom, type, queryFlags, ctl) else { return false }
            if desc.isEmpty {
                ctl.printExtra("No \(what) for domain: \(dom.name)")
            } else {
                ctl.print(desc)
            }
            return true
        }
        guard let old = await current(dom, type, queryFlags, ctl) else { return false }
        var new = given ?? old
        if cmd.bool("edit") {
            guard var edited = EditorFile.edit(new, ctl) else { return false }
            // Some editors add a newline at the end: a title has none.
            if title, edited.hasSuffix("\n") { edited.removeLast() }
            if edited == old {
                ctl.printExtra("Domain \(what) not changed\n")
                return true
            }
            new = edited
        }
        do {
            try await dom.setMetadata(type: type, metadata: new, key: nil, uri: nil, flags: flags)
        } catch {
            ctl.error("Failed to set new domain \(what)")
            ctl.save(error)
            return false
        }
        ctl.printExtra("Domain \(what) updated successfully")
        return true
    }

    /// The description or title now, "" when there is none.
    ///
    /// libvirt: `virshGetDomainDescription` (its fallback to the XML is for
    /// drivers without `virDomainGetMetadata`).
    @MainActor static func current(_ dom: any VirshDomain, _ type: Int32, _ flags: UInt32, _ ctl: Control) async -> String? {
        do { return try await dom.metadata(type: type, uri: nil, flags: flags) } catch {
            if error.code == .noDomainMetadata { return "" }
            ctl.save(error)
            return nil
        }
    }
}

/// libvirt's `virDomainMetadataType` numbers, as virsh passes them.
enum DomainMetadataKind {
    static let description: Int32 = 0
    static let title: Int32 = 1
}
