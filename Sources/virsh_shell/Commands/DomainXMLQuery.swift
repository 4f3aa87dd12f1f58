import domain_conf

/// The domain XML a listing command reads (`domblklist`, `domiflist`): the
/// live or, with `--inactive`, the persistent definition, parsed.
///
/// libvirt: `virshDomainGetXML`.
extension ParsedCommand {
    @MainActor func domainXML(_ ctl: Control) async -> XMLElement? {
        guard let (dom, _) = await domain(ctl) else { return nil }
        do {
            let text = try await dom.xmlDesc(bool("inactive") ? .inactive : [])
            do {
                return try XMLParser.parse(text, url: "(domain_definition)", rootElement: "domain")
            } catch {
                ctl.error("\(error)")
                return nil
            }
        } catch {
            ctl.save(error)
            return nil
        }
    }
}

extension XMLElement {
    /// The first of these attributes of the child `source` that is set, in
    /// document order (virsh's `string(./source/@a|./source/@b...)`).
    func sourceAttribute(_ names: Set<String>) -> String? {
        child("source")?.attributes.first { names.contains($0.name) }?.value
    }
}
