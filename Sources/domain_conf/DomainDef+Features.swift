/// The switches of `<features>` that carry a state (`<smm state='on'/>`,
/// `<vmport state='off'/>`).
///
/// libvirt: `virDomainDef.features[]` (`virTristateSwitch`), parsed by
/// `virDomainFeaturesDefParse`.
extension DomainDef {
    /// `on` or `off` for a feature present (an element without `state`
    /// is on), `nil` for one absent.
    public func featureState(_ name: String) -> String? {
        guard features.contains(name) else { return nil }
        return node.child("features")?.child(name)?.attribute("state") ?? "on"
    }

    /// Adds or changes a feature with a state.
    public mutating func setFeature(_ name: String, state: String) {
        var f = node.child("features") ?? XMLElement("features")
        var e = f.child(name) ?? XMLElement(name)
        e.setAttribute("state", state)
        if f.child(name) == nil { f.children.append(.element(e)) } else { f.setChild(name, e, order: []) }
        node.setChild("features", f, order: DomainDef.order)
        if !features.contains(name) { features.append(name) }
    }
}
