import libvirt_abi

/// A `<graphics>` device: how a client reaches the guest's display.
///
/// libvirt: `virDomainGraphicsDef` (src/conf/domain_conf.h), parsed by
/// `virDomainGraphicsDefParseXML`.
public struct DomainGraphicsDef: Hashable, Sendable {
    /// libvirt: `virDomainGraphicsType`.
    public enum GraphicsType: String, CaseIterable, Sendable {
        case sdl, vnc, rdp, desktop, spice
        case eglHeadless = "egl-headless"
        case dbus
    }

    public var type: GraphicsType
    /// `port=`: the TCP port; `nil` for `-1` (chosen at start).
    public var port: Int?
    /// `autoport='yes'`, or a port of `-1`: a free port is picked for each
    /// instance, and the live definition says which.
    public var autoport: Bool
    /// SPICE `tlsPort=`; `nil` for none or `-1`.
    public var tlsPort: Int?
    /// The address to listen on (`listen=`, or `<listen type='address'>`);
    /// `nil` for the driver's default (`vnc_listen`/`spice_listen`,
    /// 127.0.0.1).
    public var listen: String?
    /// `<listen type=...>` of the first listen element (`address`,
    /// `network`, `socket`, `none`).
    public var listenType: String?
    /// The port this instance listens on (live only).
    public var livePort: Int?
    public var node: XMLElement

    static let order = ["listen", "channel", "image", "jpeg", "zlib", "playback", "streaming", "clipboard",
                        "mouse", "filetransfer", "gl", "audio"]

    init(element: XMLElement) throws(VirError) {
        node = element
        guard let t: GraphicsType = try DomainDeviceParsing.enumAttribute(element, "type") else {
            throw VirError.conf(.xmlError, "missing graphics device type")
        }
        type = t
        func portAttribute(_ name: String) throws(VirError) -> Int? {
            guard let text = element.attribute(name) else { return nil }
            guard let v = Int(text), v >= -1, v <= 65535 else {
                throw VirError.conf(.internalError, "cannot parse \(t == .vnc ? "vnc" : "spice") \(name == "port" ? "port" : "tlsPort") \(text)")
            }
            return v == -1 ? nil : v
        }
        port = try portAttribute("port")
        tlsPort = try portAttribute("tlsPort")
        let auto = try DomainDeviceParsing.boolAttribute(element, "autoport")
        // libvirt: port -1 (or none) means autoport; autoport=yes drops the port.
        autoport = auto ?? (port == nil)
        // A live (status) definition names the port its instance chose.
        livePort = autoport ? port : nil
        if autoport { port = nil }
        let listenElement = element.child("listen")
        listenType = listenElement?.attribute("type")
        listen = element.attribute("listen") ?? listenElement?.attribute("address")
    }

    /// What a running instance's definition says of where it listens: the
    /// address (the driver's default when the XML names none) as
    /// `listen=` and as `<listen type='address'>`, the way libvirt
    /// backfills both, so that clients (`virsh domdisplay`) find it.
    ///
    /// libvirt: `qemuProcessGraphicsSetupListen`.
    public mutating func setLive(port: Int, listen address: String) {
        livePort = port
        guard listenType == nil || listenType == "address" else { return }
        listen = listen ?? address
        node.setAttribute("listen", listen)
        var l = node.child("listen") ?? XMLElement("listen")
        l.setAttribute("type", "address")
        l.setAttribute("address", listen)
        listenType = "address"
        node.setChild("listen", l, order: Self.order)
    }

    /// - Parameter live: include the port the running instance chose.
    func element(live: Bool) -> XMLElement {
        var e = node
        e.setAttribute("type", type.rawValue)
        if type == .vnc || type == .spice {
            let shown = live ? (livePort ?? port) : port
            e.setAttribute("port", String(shown ?? -1))
            e.setAttribute("autoport", autoport ? "yes" : "no")
            // A running SPICE server without TLS has no TLS port (libvirt
            // prints none then).
            if live && livePort != nil && tlsPort == nil { e.setAttribute("tlsPort", nil) }
            // libvirt's order: type, port, tlsPort, autoport, listen, the rest.
            let first = ["type", "port", "tlsPort", "autoport", "listen"]
            e.attributes = first.compactMap { name in e.attributes.first { $0.name == name } }
                + e.attributes.filter { !first.contains($0.name) }
        }
        return e
    }
}
