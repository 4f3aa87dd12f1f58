/// `vcpucount`: the maximum and online vCPU counts, of the definition and
/// of the running guest, or one of them.
///
/// libvirt: `cmdVcpucount` and `virshCPUCountCollect` (tools/virsh-domain.c).
enum VcpuCountCommand: VirshCommand {
    static let name = "vcpucount"
    static let group = CommandGroup.domain
    static let help = "domain vcpu counts"
    static let description = "Returns the number of virtual CPUs used by the domain."
    static let options: [OptionDef] = [
        .domainFull, .bool("maximum", "get maximum count of vcpus"), .bool("active", "get number of currently active vcpus"),
        .bool("live", "get value from running domain"), .bool("config", "get value to be used on next boot"),
        .bool("current", "get value according to current domain state"),
        .bool("guest", "retrieve vcpu count from the guest instead of the hypervisor"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        let (maximum, active, config, live, guest) = (cmd.bool("maximum"), cmd.bool("active"), cmd.bool("config"),
                                                      cmd.bool("live"), cmd.bool("guest"))
        var current = cmd.bool("current")
        let all = !maximum && !active && !current && !config && !live && !guest
        // Before 0.9.4 --current meant the opposite of --maximum: alone it
        // is read as --active, as virsh still reads it.
        if !maximum && !active && current { current = false }
        for (a, b, set) in [("live", "config", live && config), ("current", "live", current && live),
                            ("current", "config", current && config), ("active", "maximum", active && maximum),
                            ("guest", "config", guest && config)] where set {
            ctl.error("Options --\(a) and --\(b) are mutually exclusive")
            return false
        }
        var flags: UInt32 = 0
        if live { flags |= 1 }
        if config { flags |= 2 }
        if maximum { flags |= 4 }
        if guest { flags |= 8 }
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        guard all else {
            guard let n = await collect(dom, flags, checkState: false, ctl) else { return false }
            ctl.print("\(n)\n")
            return true
        }
        var counts: [(which: String, state: String, count: Int32)] = []
        for (which, state, f) in [("maximum", "config", UInt32(6)), ("maximum", "live", 5), ("current", "config", 2), ("current", "live", 1)] {
            guard let n = await collect(dom, f, checkState: true, ctl) else { return false }
            counts.append((which, state, n))
        }
        for c in counts where c.count > 0 {
            ctl.print(c.which.padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                      + c.state.padding(toLength: 12, withPad: " ", startingAt: 0) + " "
                      + String(repeating: " ", count: max(0, 3 - String(c.count).count)) + "\(c.count)\n")
        }
        return true
    }

    /// The count for `flags`; with `checkState`, -1 for the live values of
    /// a domain that does not run or the config of a transient one; `nil`
    /// after an error. The fallbacks virsh has for daemons older than
    /// `virDomainGetVcpusFlags` (GetMaxVcpus, GetInfo, the XML) are not
    /// needed: every backend here has it.
    @MainActor static func collect(_ dom: any VirshDomain, _ flags: UInt32, checkState: Bool, _ ctl: Control) async -> Int32? {
        do {
            if checkState {
                if flags & 1 != 0, !(try await dom.isActive()) { return -1 }
                if flags & 2 != 0, !(try await dom.isPersistent()) { return -1 }
            }
            return try await dom.vcpuCount(flags: flags)
        } catch {
            // virsh's fallback for an older daemon starts here, and for
            // the guest's count it has none.
            if flags & 8 != 0 && (error.code == .invalidArg || error.code == .noSupport) {
                ctl.error("Failed to retrieve vCPU count from the guest")
            }
            ctl.save(error)
            return nil
        }
    }
}
