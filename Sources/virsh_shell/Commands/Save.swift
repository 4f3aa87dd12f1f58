/// `save`: the running domain's state to a file; its QEMU stops.
///
/// libvirt: `cmdSave`, `doSave` (tools/virsh-domain.c).
enum SaveCommand: VirshCommand {
    static let name = "save"
    static let group = CommandGroup.domain
    static let help = "save a domain state to a file"
    static let description = "Save the RAM state of a running domain."
    static let options: [OptionDef] = [
        .domainFull,
        .data("file", "where to save the data"),
        .bool("bypass-cache", "avoid file system cache when saving"),
        .string("xml", "filename containing updated XML for the target"),
        .bool("running", "set domain to be running on restore"),
        .bool("paused", "set domain to be paused on restore"),
        .bool("verbose", "display the progress of save"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, arg) = await cmd.domain(ctl) else { return false }
        guard case .success(let f) = cmd.string("file", ctl), let file = f else { return false }
        let flags = SaveFlagOptions.flags(cmd)
        guard case .success(let x) = cmd.string("xml", ctl) else { return false }
        var xml: String?
        if let x {
            guard let text = XMLFile.read(x, ctl) else { return false }
            xml = text
        }
        let newXML = xml
        let ok = await SaveFlagOptions.watched(dom, cmd, label: "Save") { () async throws(VirshError) in
            try await dom.save(to: file, xml: newXML, flags: flags)
        }
        guard ok.ok else {
            ctl.error("Failed to save domain '\(arg)' to \(file)")
            if let e = ok.error { ctl.save(e) }
            return false
        }
        ctl.printExtra("\nDomain '\(arg)' saved to \(file)\n")
        return true
    }
}

/// What `save` and `managedsave` share: their flags and the job watch.
enum SaveFlagOptions {
    /// `VIR_DOMAIN_SAVE_BYPASS_CACHE`, `_RUNNING`, `_PAUSED`.
    @MainActor static func flags(_ cmd: ParsedCommand) -> UInt32 {
        (cmd.bool("bypass-cache") ? 1 : 0) | (cmd.bool("running") ? 2 : 0) | (cmd.bool("paused") ? 4 : 0)
    }

    /// Runs the call while `virshWatchJob` watches it (Ctrl-C aborts).
    @MainActor static func watched(_ dom: any VirshDomain, _ cmd: ParsedCommand, label: String,
                                   _ body: @escaping @Sendable () async throws(VirshError) -> Void) async -> (ok: Bool, error: VirshError?) {
        let done = OnceFlag()
        let job = Task.detached { () -> VirshError? in
            defer { done.set() }
            do throws(VirshError) {
                try await body()
                return nil
            } catch {
                return error
            }
        }
        await JobWatch.watch(dom, verbose: cmd.bool("verbose"), timeoutSeconds: 0, label: label, done: done)
        let error = await job.value
        return (error == nil, error)
    }
}
