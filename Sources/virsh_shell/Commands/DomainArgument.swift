import libvirt_abi

/// How a domain argument may be read (`VIRSH_BYID`, `VIRSH_BYUUID`,
/// `VIRSH_BYNAME`).
struct DomainLookup: OptionSet {
    let rawValue: Int
    static let byID = DomainLookup(rawValue: 1)
    static let byUUID = DomainLookup(rawValue: 2)
    static let byName = DomainLookup(rawValue: 4)
    static let all: DomainLookup = [.byID, .byUUID, .byName]
}

extension ParsedCommand {
    /// The domain named by the `domain` option, tried as an id, then as a
    /// UUID (36 characters), then as a name; a failure reports
    /// `failed to get domain 'X'` and nothing of the library's error.
    ///
    /// libvirt: `virshCommandOptDomainBy` → `virshLookupDomainInternal`.
    @MainActor func domain(_ ctl: Control, by: DomainLookup = .all) async -> (dom: any VirshDomain, arg: String)? {
        guard case .success(let n) = string("domain", ctl), let arg = n else { return nil }
        guard let dom = await ctl.lookupDomain(arg, by: by) else { return nil }
        return (dom, arg)
    }
}

extension Control {
    /// A domain named on the command line, tried as an id, then as a UUID
    /// (36 characters), then as a name; a failure reports `failed to get
    /// domain 'X'` and nothing of the library's error.
    ///
    /// libvirt: `virshLookupDomainBy`.
    func lookupDomain(_ arg: String, by: DomainLookup = .all) async -> (any VirshDomain)? {
        guard let conn = try? connected else { return nil }
        var dom: (any VirshDomain)?
        if by.contains(.byID), let id = NumberParsing.int32(arg), id >= 0 {
            dom = try? await conn.lookup(id: id)
        }
        if dom == nil && by.contains(.byUUID) && arg.utf8.count == 36 {
            dom = try? await conn.lookup(uuid: arg)
        }
        if dom == nil && by.contains(.byName) {
            dom = try? await conn.lookup(name: arg)
        }
        resetError()
        guard let dom else {
            error("failed to get domain '\(arg)'")
            return nil
        }
        return dom
    }
}

/// virsh's words for states and reasons (`virshDomainStateToString`,
/// `virshDomainStateReasonToString`).
enum StateWords {
    static func state(_ s: Int32) -> String {
        DomainState(rawValue: s)?.virshName ?? "no state"
    }

    static func reason(state: Int32, reason: Int32) -> String {
        DomainStateReason(state: state, reason: reason)?.virshName ?? "unknown"
    }
}
