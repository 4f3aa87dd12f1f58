import libvirt_abi

/// `list`: the domains in a table, or their UUIDs, ids or names.
///
/// libvirt: `cmdList` (tools/virsh-domain-monitor.c).
enum ListCommand: VirshCommand {
    static let name = "list"
    static let group = CommandGroup.monitor
    static let help = "list domains"
    static let description = "Returns list of domains."
    static let options: [OptionDef] = [
        .bool("inactive", "list inactive domains"),
        .bool("all", "list inactive & active domains"),
        .bool("transient", "list transient domains"),
        .bool("persistent", "list persistent domains"),
        .bool("with-snapshot", "list domains with existing snapshot"),
        .bool("without-snapshot", "list domains without a snapshot"),
        .bool("with-checkpoint", "list domains with existing checkpoint"),
        .bool("without-checkpoint", "list domains without a checkpoint"),
        .bool("state-running", "list domains in running state"),
        .bool("state-paused", "list domains in paused state"),
        .bool("state-shutoff", "list domains in shutoff state"),
        .bool("state-other", "list domains in other states"),
        .bool("autostart", "list domains with autostart enabled"),
        .bool("no-autostart", "list domains with autostart disabled"),
        .bool("with-managed-save", "list domains with managed save state"),
        .bool("without-managed-save", "list domains without managed save"),
        .bool("uuid", "list uuid's only"),
        .bool("name", "list domain names only"),
        .bool("id", "list domain IDs only"),
        .bool("table", "list table (default)"),
        .bool("managed-save", "mark inactive domains with managed save state"),
        .bool("title", "show domain title"),
    ]

    private static let filters: [(String, ListAllDomainsFlags)] = [
        ("persistent", .persistent), ("transient", .transient),
        ("with-managed-save", .managedSave), ("without-managed-save", .noManagedSave),
        ("autostart", .autostart), ("no-autostart", .noAutostart),
        ("with-snapshot", .hasSnapshot), ("without-snapshot", .noSnapshot),
        ("with-checkpoint", .hasCheckpoint), ("without-checkpoint", .noCheckpoint),
        ("state-running", .running), ("state-paused", .paused), ("state-shutoff", .shutoff), ("state-other", .other),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        var flags: ListAllDomainsFlags = .active
        if cmd.bool("inactive") || cmd.bool("state-shutoff") { flags = .inactive }
        if cmd.bool("all") { flags = [.inactive, .active] }
        for (opt, f) in filters where cmd.bool(opt) { flags.insert(f) }

        guard cmd.exclusive("table", "name", ctl), cmd.exclusive("table", "uuid", ctl),
              cmd.exclusive("table", "id", ctl) else { return false }
        if cmd.bool("title") {
            ctl.error("option --title is not supported by this virsh")
            return false
        }
        let optUUID = cmd.bool("uuid"), optName = cmd.bool("name"), optID = cmd.bool("id")
        let table = cmd.bool("table") || (!optUUID && !optName && !optID)
        let managed = cmd.bool("managed-save")

        let domains: [any VirshDomain]
        do {
            domains = try await ctl.connected.listAllDomains(flags).sorted(by: sorter)
        } catch {
            ctl.error("Failed to list domains")
            ctl.save(error)
            return false
        }

        if table {
            // Every state in one call where the server has it; else one
            // virDomainGetState per domain, as libvirt's virsh asks.
            var states: [String: (state: Int32, reason: Int32)]?
            if !domains.isEmpty, let stats = try? await ctl.connected.domainStats(domains, stats: .state, flags: 0) {
                states = Dictionary(stats.compactMap { s in Self.state(s.params).map { (s.uuid, $0) } }, uniquingKeysWith: { a, _ in a })
            }
            var t = Table("Id", "Name", "State")
            for dom in domains {
                let state: (state: Int32, reason: Int32)?
                if let states { state = states[dom.uuid] } else { state = try? await dom.state() }
                // Gone since it was listed.
                guard let st = state else { continue }
                var word = StateWords.state(st.state)
                if managed && st.state == DomainState.shutoff.rawValue, (try? await dom.hasManagedSaveImage()) == true {
                    word = "saved"
                }
                t.append(dom.id.map(String.init) ?? "-", dom.name, word)
            }
            ctl.resetError()
            ctl.print(t.render(withHeader: !ctl.quiet))
            return true
        }
        var out = ""
        for dom in domains {
            var sep = ""
            var line = ""
            if optUUID {
                line += dom.uuid
                sep = " "
            }
            if optID {
                if dom.id == nil && !optUUID && !optName { continue }
                line += sep + (dom.id.map(String.init) ?? "-")
                sep = " "
            }
            if optName { line += sep + dom.name }
            out += line + "\n"
        }
        ctl.print(out)
        return true
    }

    /// `state.state` and `state.reason` of a statistics record.
    static func state(_ params: [TypedParameter]) -> (state: Int32, reason: Int32)? {
        func int(_ name: String) -> Int32? {
            for p in params where p.name == name { if case .int(let v) = p.value { return v } }
            return nil
        }
        guard let state = int("state.state") else { return nil }
        return (state, int("state.reason") ?? 0)
    }

    /// Running domains first by id, then the others by name, ignoring case
    /// (libvirt: `virshDomainSorter`).
    static func sorter(_ a: any VirshDomain, _ b: any VirshDomain) -> Bool {
        switch (a.id, b.id) {
        case let (x?, y?): return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return a.name.lowercased() < b.name.lowercased()
        }
    }
}
