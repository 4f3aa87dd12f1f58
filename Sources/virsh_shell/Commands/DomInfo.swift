/// `dominfo`: basic information about a domain.
///
/// libvirt: `cmdDominfo` (tools/virsh-domain-monitor.c).
enum DomInfoCommand: VirshCommand {
    static let name = "dominfo"
    static let group = CommandGroup.monitor
    static let help = "domain information"
    static let description = "Returns basic information about the domain."
    static let options: [OptionDef] = [.domainFull]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl), let conn = try? ctl.connected else { return false }
        var ok = true
        var out = ""
        func field(_ label: String, _ value: String) { out += label.padding(15) + " " + value + "\n" }

        field("Id:", dom.id.map(String.init) ?? "-")
        field("Name:", dom.name)
        field("UUID:", dom.uuid)
        if let os = try? await dom.osType() { field("OS Type:", os) }
        do {
            let info = try await dom.info()
            field("State:", StateWords.state(info.state))
            field("CPU(s):", String(info.vcpus))
            if info.cpuTime != 0 {
                field("CPU time:", String(format: "%.1fs", Double(info.cpuTime) / 1_000_000_000))
            }
            if info.maxMemory != UInt64(UInt32.max) {
                field("Max memory:", "\(info.maxMemory) KiB")
            } else {
                field("Max memory:", "no limit")
            }
            field("Used memory:", "\(info.memory) KiB")
        } catch {
            ctl.save(error)
            ok = false
        }
        do {
            field("Persistent:", try await dom.isPersistent() ? "yes" : "no")
        } catch {
            field("Persistent:", "unknown")
        }
        if let a = try? await dom.autostart() { field("Autostart:", a ? "enable" : "disable") }
        do {
            field("Managed save:", try await dom.hasManagedSaveImage() ? "yes" : "no")
        } catch {
            field("Managed save:", "unknown")
        }
        do {
            if let model = try await conn.securityModel(), !model.model.isEmpty {
                field("Security model:", model.model)
                field("Security DOI:", model.doi)
                let label = try await dom.securityLabel()
                if !label.label.isEmpty {
                    field("Security label:", "\(label.label) (\(label.enforcing ? "enforcing" : "permissive"))")
                }
            }
        } catch {
            ctl.print(out)
            ctl.save(error)
            return false
        }
        if let messages = try? await dom.messages() {
            for (i, m) in messages.enumerated() { field(i == 0 ? "Messages:" : "", m) }
        }
        if ok { ctl.resetError() }
        ctl.print(out)
        return ok
    }
}
