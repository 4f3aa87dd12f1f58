/// `version`: library, API and hypervisor versions.
///
/// libvirt: `cmdVersion` (tools/virsh-host.c).
enum VersionCommand: VirshCommand {
    static let name = "version"
    static let group = CommandGroup.host
    static let help = "show version"
    static let description = "Display the system version information."
    static let options: [OptionDef] = [.bool("daemon", "report daemon version too")]

    static func dotted(_ v: UInt64) -> String { "\(v / 1_000_000).\(v % 1_000_000 / 1000).\(v % 1000)" }

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let conn = try? ctl.connected else { return false }
        guard let type = try? await conn.type() else {
            ctl.error("failed to get hypervisor type")
            return false
        }
        let lib = LibvirtLibrary.version()
        ctl.print("Compiled against library: libvirt \(dotted(LibvirtLibrary.headerVersion))\n")
        guard lib != 0 else {
            ctl.error("failed to get the library version")
            return false
        }
        ctl.print("Using library: libvirt \(dotted(lib))\n")
        ctl.print("Using API: \(type) \(dotted(lib))\n")
        do {
            let hv = try await conn.hypervisorVersion()
            if hv == 0 {
                ctl.print("Cannot extract running \(type) hypervisor version\n")
            } else {
                ctl.print("Running hypervisor: \(type) \(dotted(hv))\n")
            }
        } catch {
            ctl.save(error)
            ctl.error("failed to get the hypervisor version")
            return false
        }
        if cmd.bool("daemon") {
            if let d = try? await conn.libVersion() {
                ctl.print("Running against daemon: \(dotted(d))\n")
            } else {
                ctl.error("failed to get the daemon version")
            }
        }
        return true
    }
}

/// `uri`: the connection's canonical URI.
///
/// libvirt: `cmdURI` (tools/virsh-host.c).
enum URICommand: VirshCommand {
    static let name = "uri"
    static let group = CommandGroup.host
    static let help = "print the hypervisor canonical URI"
    static let description = ""

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        do {
            ctl.print(try await ctl.connected.uri() + "\n")
            return true
        } catch {
            ctl.save(error)
            ctl.error("failed to get URI")
            return false
        }
    }
}

/// `hostname`: the hypervisor host's name.
///
/// libvirt: `cmdHostname` (tools/virsh-host.c).
enum HostnameCommand: VirshCommand {
    static let name = "hostname"
    static let group = CommandGroup.host
    static let help = "print the hypervisor hostname"
    static let description = ""

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        do {
            ctl.print(try await ctl.connected.hostname() + "\n")
            return true
        } catch {
            ctl.save(error)
            ctl.error("failed to get hostname")
            return false
        }
    }
}
