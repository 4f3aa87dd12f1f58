import domain_conf
import libvirt_abi

/// SMBIOS tables from `<sysinfo type='smbios'>`, with
/// `<os><smbios mode='sysinfo'/>`.
extension QemuCommandLineBuilder {
    /// The tables libvirt writes, each with its entries in libvirt's order.
    static let smbiosTables: [(element: String, type: Int, entries: [String])] = [
        ("bios", 0, ["vendor", "version", "date", "release"]),
        ("system", 1, ["manufacturer", "product", "version", "serial", "uuid", "sku", "family"]),
        ("baseBoard", 2, ["manufacturer", "product", "version", "serial", "asset", "location"]),
        ("chassis", 3, ["manufacturer", "version", "serial", "asset", "sku"]),
    ]

    /// libvirt: `qemuBuildSmbiosCommandLine` and its `qemuBuildSmbios*Str`.
    mutating func addSMBIOS() throws(VirError) {
        let mode = def.os.node.child("smbios")?.attribute("mode")
        let sysinfo = def.node.children(named: "sysinfo").first { $0.attribute("type") == "smbios" }
        for s in def.node.children(named: "sysinfo") where s.attribute("type") != "smbios" {
            throw QemuCommandLine.unsupported("sysinfo type '\(s.attribute("type") ?? "")' is not supported by this driver")
        }
        switch mode {
        case nil, "emulate"?:
            // libvirt would keep it without telling the guest: refused, so
            // that nobody believes the guest sees it.
            if sysinfo != nil {
                throw QemuCommandLine.unsupported("<sysinfo type='smbios'> reaches the guest only with <os><smbios mode='sysinfo'/>")
            }
            return
        case "sysinfo"?:
            break
        default:
            throw QemuCommandLine.unsupported("SMBIOS mode '\(mode ?? "")' is not supported by this driver")
        }
        guard let sysinfo else { throw VirError(.xmlError, "Domain '\(def.name)' sysinfo are not available") }
        for e in sysinfo.elements where !(Self.smbiosTables.map(\.element) + ["oemStrings"]).contains(e.name) {
            throw QemuCommandLine.unsupported("<sysinfo><\(e.name)> is not supported by this driver")
        }
        for table in Self.smbiosTables {
            for section in sysinfo.children(named: table.element) {
                var values: [String: String] = [:]
                for entry in section.children(named: "entry") {
                    guard let name = entry.attribute("name"), table.entries.contains(name) else {
                        throw QemuCommandLine.unsupported("<sysinfo><\(table.element)> entry '\(entry.attribute("name") ?? "")' is not supported by this driver")
                    }
                    values[name] = entry.text
                }
                if table.type == 1, let uuid = values["uuid"], DomainUUID(uuid) != def.uuid {
                    throw VirError(.xmlError, "UUID mismatch between <uuid> and <sysinfo>")
                }
                var arg = "type=\(table.type)"
                for name in table.entries {
                    if let v = values[name] { arg += ",\(name)=\(QemuCommandLine.escape(v))" }
                }
                add("-smbios", arg)
            }
        }
        if let oem = sysinfo.child("oemStrings") {
            add("-smbios", "type=11" + oem.children(named: "entry").map { ",value=\(QemuCommandLine.escape($0.text))" }.joined())
        }
    }
}
