/// `metadata`: shows, sets (`--set`, `--edit` in `$VISUAL`/`$EDITOR`) or
/// removes an application's element in a domain's `<metadata>`, by its
/// namespace URI.
///
/// libvirt: `cmdMetadata` (tools/virsh-domain.c), `virshDomainGetEditMetadata`.
enum MetadataCommand: VirshCommand {
    static let name = "metadata"
    static let group = CommandGroup.domain
    static let help = "show or set domain's custom XML metadata"
    static let description = "Shows or modifies the XML metadata of a domain."
    static let options: [OptionDef] = [
        .domainFull,
        .data("uri", "URI of the namespace"),
        .bool("live", "modify/get running state"),
        .bool("config", "modify/get persistent configuration"),
        .bool("current", "modify/get current state configuration"),
        .bool("edit", "use an editor to change the metadata"),
        .string("key", "key to be used as a namespace identifier"),
        .string("set", "new metadata to set"),
        .bool("remove", "remove the metadata corresponding to an uri"),
    ]

    /// `VIR_DOMAIN_METADATA_ELEMENT`.
    static let element: Int32 = 2

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard cmd.exclusive("current", "live", ctl), cmd.exclusive("current", "config", ctl), cmd.exclusive("edit", "set", ctl),
              cmd.exclusive("remove", "set", ctl), cmd.exclusive("remove", "edit", ctl) else { return false }
        var flags: UInt32 = 0
        if cmd.bool("config") { flags |= 2 }
        if cmd.bool("live") { flags |= 1 }
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        guard case .success(let u) = cmd.string("uri", ctl), let uri = u,
              case .success(let key) = cmd.string("key", ctl), case .success(let set) = cmd.string("set", ctl) else { return false }
        let edit = cmd.bool("edit"), remove = cmd.bool("remove")
        if (set != nil || edit) && key == nil {
            ctl.error("namespace key is required when modifying metadata")
            return false
        }
        if set != nil || remove {
            do { try await dom.setMetadata(type: element, metadata: set, key: key, uri: uri, flags: flags) } catch {
                ctl.save(error)
                return false
            }
            ctl.printExtra(remove ? "Metadata removed\n" : "Metadata modified\n")
            return true
        }
        if edit {
            // What there is now, or an empty line to start from.
            let old: String
            do { old = try await dom.metadata(type: element, uri: uri, flags: flags) } catch { old = "\n" }
            guard let edited = EditorFile.edit(old, ctl) else { return false }
            if edited == old {
                ctl.printExtra("Metadata not changed")
                return true
            }
            do { try await dom.setMetadata(type: element, metadata: edited, key: key, uri: uri, flags: flags) } catch {
                ctl.save(error)
                return false
            }
            ctl.printExtra("Metadata modified\n")
            return true
        }
        do { ctl.print(try await dom.metadata(type: element, uri: uri, flags: flags) + "\n") } catch {
            ctl.save(error)
            return false
        }
        return true
    }
}
