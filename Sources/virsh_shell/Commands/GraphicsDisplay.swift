import domain_conf

/// What `domdisplay` and `vncdisplay` read from a running domain's live
/// XML: its `<graphics>` elements.
///
/// libvirt: the XPath queries of `virshGetOneDisplay` and `cmdVNCDisplay`.
struct GraphicsDisplay {
    let graphics: [XMLElement]

    /// The live XML of an active domain, or virsh's error for one that is
    /// not running.
    @MainActor static func of(_ dom: any VirshDomain, secure: Bool, _ ctl: Control) async -> GraphicsDisplay? {
        do {
            guard try await dom.isActive() else {
                ctl.error("Domain is not running")
                return nil
            }
            let xml = try await dom.xmlDesc(secure ? [.secure] : [])
            let root = try XMLParser.parse(xml, url: "domain.xml")
            return GraphicsDisplay(graphics: root.child("devices")?.children(named: "graphics") ?? [])
        } catch let e as VirshError {
            ctl.save(e)
        } catch {
            ctl.error("\(error)")
        }
        return nil
    }

    /// The first `<graphics type=...>`, as `graphics[@type='X']` selects.
    func first(_ type: String) -> XMLElement? { graphics.first { $0.attribute("type") == type } }

    /// An attribute read as XPath's `string()` then `virXPathInt` would:
    /// `nil` when absent or not a number.
    static func int(_ e: XMLElement?, _ name: String) -> Int? { e?.attribute(name).flatMap { Int($0) } }

    /// The listen address: `@listen`, else `listen/@address`.
    static func listen(_ e: XMLElement) -> String? {
        e.attribute("listen") ?? e.child("listen")?.attribute("address")
    }
}
