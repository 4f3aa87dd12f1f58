import Foundation
import domain_conf
import libvirt_abi
import qemu_domain

/// The migration cookie: the XML each phase of a migration hands the next,
/// naming the domain and the host it comes from, and carrying what the
/// other side needs (persistent definition, statistics, capabilities).
///
/// ```xml
/// <qemu-migration>
///   <name>vm</name>
///   <uuid>...</uuid>
///   <hostname>host</hostname>
///   <hostuuid>...</hostuuid>
///   <feature name='persistent'/>
///   <domain>...</domain>
///   <statistics>...</statistics>
///   <capabilities><cap name='x-ignore-shared' auto='no'/></capabilities>
/// </qemu-migration>
/// ```
///
/// libvirt: `qemuMigrationCookie` (src/qemu/qemu_migration_cookie.c).
public struct QemuMigrationCookie: Sendable, Equatable {
    public var name: String
    public var uuid: DomainUUID
    /// The host that wrote the cookie.
    public var hostname: String
    public var hostUUID: DomainUUID
    /// Features the reader must understand (`<feature name=.../>`).
    public var mandatoryFeatures: [String] = []
    /// The persistent definition (`VIR_MIGRATE_PERSIST_DEST`).
    public var persistent: DomainDef?
    public var statistics: QemuMigrationStatistics?
    /// Migration capabilities: name and whether the driver turns it on by itself.
    public var capabilities: [(name: String, automatic: Bool)]?
    /// Parts this driver does not use but gives back (graphics, lockstate,
    /// network, nbd, cpu, blockDirtyBitmaps).
    public var otherElements: [XMLElement] = []

    /// libvirt's cookie features (`qemuMigrationCookieFlag`), in its order.
    public static let knownFeatures = ["graphics", "lockstate", "persistent", "network", "nbd", "statistics",
                                       "memory-hotplug", "cpu-hotplug", "cpu", "allowReboot", "capabilities",
                                       "block-dirty-bitmaps"]
    /// The features this driver understands when they are mandatory.
    public static let supportedFeatures: Set<String> = ["persistent", "statistics", "capabilities", "lockstate", "memory-hotplug", "cpu-hotplug"]

    public init(name: String, uuid: DomainUUID, hostname: String, hostUUID: DomainUUID) {
        self.name = name
        self.uuid = uuid
        self.hostname = hostname
        self.hostUUID = hostUUID
    }

    public static func == (a: QemuMigrationCookie, b: QemuMigrationCookie) -> Bool {
        a.format() == b.format()
    }

    /// The cookie as libvirt formats it.
    ///
    /// libvirt: `qemuMigrationCookieXMLFormat`.
    public func format() -> String {
        var root = XMLElement("qemu-migration")
        root.children.append(.element(XMLElement("name", text: name)))
        root.children.append(.element(XMLElement("uuid", text: uuid.description)))
        root.children.append(.element(XMLElement("hostname", text: hostname)))
        root.children.append(.element(XMLElement("hostuuid", text: hostUUID.description)))
        for f in Self.knownFeatures where mandatoryFeatures.contains(f) {
            root.children.append(.element(XMLElement("feature", attributes: [XMLAttribute("name", f)])))
        }
        let before = otherElements.filter { ["graphics", "lockstate"].contains($0.name) }
        let after = otherElements.filter { !["graphics", "lockstate"].contains($0.name) }
        root.children += before.map(XMLNode.element)
        if let persistent {
            root.children.append(.element(persistent.element(.migratable)))
        }
        root.children += after.filter { ["network", "nbd"].contains($0.name) }.map(XMLNode.element)
        if let statistics { root.children.append(.element(statistics.element)) }
        root.children += after.filter { $0.name == "cpu" }.map(XMLNode.element)
        var text = root.formatted()
        if let capabilities {
            // libvirt writes the element open and closed on two lines even
            // when it is empty; XMLElement would write `<capabilities/>`.
            var caps = "  <capabilities>\n"
            for c in capabilities { caps += "    <cap name='\(XMLElement.escape(c.name, attribute: true))' auto='\(c.automatic ? "yes" : "no")'/>\n" }
            caps += "  </capabilities>\n"
            var tail = after.filter { $0.name == "blockDirtyBitmaps" }.map { $0.formatted(indent: 2) }.joined()
            tail += "</qemu-migration>\n"
            text = String(text.dropLast("</qemu-migration>\n".count)) + caps + tail
        } else {
            let bitmaps = after.filter { $0.name == "blockDirtyBitmaps" }.map { $0.formatted(indent: 2) }.joined()
            text = String(text.dropLast("</qemu-migration>\n".count)) + bitmaps + "</qemu-migration>\n"
        }
        return text
    }

    /// Parses a cookie from the other side and checks it against what this
    /// side knows.
    ///
    /// - Parameters:
    ///   - name, uuid: the domain this side migrates.
    ///   - localHostUUID: this host.
    ///   - local: a local migration (`VIR_MIGRATE_LOCAL`): the cookie must
    ///     come from this same host; without it, it must not.
    ///
    /// libvirt: `qemuMigrationCookieXMLParse`, with the series' local case.
    public static func parse(_ xml: String, name: String, uuid: DomainUUID, localHostUUID: DomainUUID,
                             local: Bool) throws(VirError) -> QemuMigrationCookie {
        let root: XMLElement = try XMLParser.parse(xml, url: "(qemu_migration_cookie)")
        func fail(_ m: String) -> VirError { VirError(.internalError, m) }
        guard let cookieName = root.childText("name"), !cookieName.isEmpty else {
            throw fail("missing name element in migration data")
        }
        if cookieName != name {
            throw fail("Incoming cookie data had unexpected name \(cookieName) vs \(name)")
        }
        guard let uuidText = root.childText("uuid"), !uuidText.isEmpty else {
            throw fail("missing uuid element in migration data")
        }
        if uuidText != uuid.description {
            throw fail("Incoming cookie data had unexpected UUID \(uuidText) vs \(uuid)")
        }
        guard let hostname = root.childText("hostname"), !hostname.isEmpty else {
            throw fail("missing hostname element in migration data")
        }
        guard let hostText = root.childText("hostuuid"), !hostText.isEmpty else {
            throw fail("missing hostuuid element in migration data")
        }
        guard let hostUUID = DomainUUID(hostText) else {
            throw fail("malformed hostuuid element in migration data")
        }
        if local {
            if hostUUID != localHostUUID {
                throw VirError(.operationInvalid,
                                         "local migration (VIR_MIGRATE_LOCAL) needs the same host, but the migration data comes from host \(hostText), this is host \(localHostUUID)")
            }
        } else if hostUUID == localHostUUID {
            throw fail("Attempt to migrate guest to the same host \(hostText)")
        }
        var cookie = QemuMigrationCookie(name: cookieName, uuid: uuid, hostname: hostname, hostUUID: hostUUID)
        for f in root.children(named: "feature") {
            guard let n = f.attribute("name") else { throw fail("missing feature name") }
            guard knownFeatures.contains(n) else { throw fail("Unknown migration cookie feature \(n)") }
            guard supportedFeatures.contains(n) else { throw fail("Unsupported migration cookie feature \(n)") }
            cookie.mandatoryFeatures.append(n)
        }
        if let lock = root.child("lockstate"), lock.attribute("driver") == nil {
            throw fail("Missing lock driver name in migration cookie")
        }
        let domains = root.children(named: "domain")
        if domains.count > 1 { throw fail("Too many domain elements in migration cookie") }
        if let d = domains.first {
            cookie.persistent = try DomainDef(element: d, inactive: true)
        }
        if let s = root.child("statistics") { cookie.statistics = QemuMigrationStatistics(element: s) }
        var caps: [(String, Bool)] = []
        for c in root.child("capabilities")?.children(named: "cap") ?? [] {
            guard let n = c.attribute("name") else { throw fail("missing migration capability name") }
            caps.append((n, c.attribute("auto") == "yes"))
        }
        // libvirt always has capabilities after parsing, empty or not.
        cookie.capabilities = caps
        cookie.otherElements = root.elements.filter {
            ["graphics", "lockstate", "network", "nbd", "cpu", "blockDirtyBitmaps"].contains($0.name)
        }
        return cookie
    }
}
