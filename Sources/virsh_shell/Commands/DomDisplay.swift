/// `domdisplay`: the URI of a running domain's graphical display
/// (`vnc://127.0.0.1:0`, `spice://127.0.0.1:5901`).
///
/// libvirt: `cmdDomDisplay`, `virshGetOneDisplay` (tools/virsh-domain.c).
enum DomDisplayCommand: VirshCommand {
    static let name = "domdisplay"
    static let group = CommandGroup.domain
    static let help = "domain display connection URI"
    static let description = "Output the IP address and port number for the graphical display."
    static let options: [OptionDef] = [
        .domainFull,
        .bool("include-password", "includes the password into the connection URI if available"),
        .string("type", "select particular graphical display (e.g. \"vnc\", \"spice\", \"rdp\", \"dbus\")"),
        .bool("all", "show all possible graphical displays"),
    ]
    static let schemes = ["vnc", "spice", "rdp", "dbus"]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        let all = cmd.bool("all")
        guard cmd.exclusive("all", "type", ctl), let (dom, _) = await cmd.domain(ctl) else { return false }
        guard let display = await GraphicsDisplay.of(dom, secure: cmd.bool("include-password"), ctl),
              case .success(let type) = cmd.string("type", ctl) else { return false }
        var found = false
        for scheme in schemes {
            if !all, let type, type != scheme { continue }
            guard let uri = await self.uri(scheme, display, ctl) else { continue }
            ctl.print(uri)
            found = true
            if !all { break }
            ctl.print("\n")
        }
        if !found {
            ctl.error(type.map { "No graphical display with type '\($0)' found" } ?? "No graphical display found")
        }
        return found
    }

    /// libvirt: `virshGetOneDisplay`, `virshGetDBusDisplay`.
    @MainActor static func uri(_ scheme: String, _ display: GraphicsDisplay, _ ctl: Control) async -> String? {
        guard let g = display.first(scheme) else { return nil }
        // The driver runs no D-Bus display (it refuses <graphics type='dbus'>).
        if scheme == "dbus" { return nil }
        var port = GraphicsDisplay.int(g, "port") ?? 0
        let tlsPort = GraphicsDisplay.int(g, "tlsPort") ?? 0
        let socket = g.child("listen")?.attribute("type") == "socket" ? g.child("listen")?.attribute("socket") : nil
        if port == 0 && tlsPort == 0 && socket == nil { return nil }
        var listen = g.attribute("listen")
        if listen == nil {
            listen = g.child("listen")?.attribute("address")
        } else if listen == "0.0.0.0" || listen == "::" || listen == "[::]" {
            // A wildcard helps no client: the connection's host instead.
            listen = (try? await ctl.connected.uri()).flatMap(Self.server)
        }
        let password = g.attribute("passwd")
        var uri = socket == nil ? "\(scheme)://" : "\(scheme)+unix://"
        if scheme == "vnc", let password { uri += ":\(password)@" }
        if let socket {
            uri += socket
        } else if let listen {
            uri += listen.contains(":") ? "[\(listen)]" : listen
        } else {
            uri += "localhost"
        }
        if port != 0 {
            if scheme == "vnc" { port -= 5900 }
            uri += ":\(port)"
        }
        var query: [String] = []
        if tlsPort != 0 { query.append("tls-port=\(tlsPort)") }
        if scheme == "spice", let password { query.append("password=\(password)") }
        return query.isEmpty ? uri : uri + "?" + query.joined(separator: "&")
    }

    /// The host of a URI (`qemu+ssh://host/system` → `host`), `nil` for none.
    static func server(_ uri: String) -> String? {
        guard let scheme = uri.range(of: "://") else { return nil }
        let rest = uri[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let host = authority.split(separator: "@").last.map { $0.split(separator: ":").first.map(String.init) ?? "" } ?? ""
        return host.isEmpty ? nil : host
    }
}
