import libvirt_abi

/// `domblkstat`: a running domain's I/O counters, of one disk or all.
///
/// libvirt: `cmdDomblkstat` (tools/virsh-domain-monitor.c).
enum DomBlkStatCommand: VirshCommand {
    static let name = "domblkstat"
    static let group = CommandGroup.monitor
    static let help = "get device block stats for a domain"
    static let description = "Get device block stats for a running domain. See man page or use --human for explanation of fields"
    static let options: [OptionDef] = [
        .domainFull,
        .string("device", "block device"),
        .bool("human", "print a more human readable output"),
    ]

    /// libvirt: `domblkstat_output`: the typed parameter's name, virsh's
    /// older spelling, the human one.
    static let fields: [(field: String, legacy: String?, human: String)] = [
        ("rd_operations", "rd_req", "number of read operations:"),
        ("rd_bytes", "rd_bytes", "number of bytes read:"),
        ("wr_operations", "wr_req", "number of write operations:"),
        ("wr_bytes", "wr_bytes", "number of bytes written:"),
        ("errs", "errs", "error count:"),
        ("flush_operations", nil, "number of flush operations:"),
        ("rd_total_times", nil, "total duration of reads (ns):"),
        ("wr_total_times", nil, "total duration of writes (ns):"),
        ("flush_total_times", nil, "total duration of flushes (ns):"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, arg) = await cmd.domain(ctl) else { return false }
        guard case .success(let d) = cmd.string("device", ctl) else { return false }
        var device = d ?? ""
        let human = cmd.bool("human")
        func line(_ label: String, _ value: String) {
            let padded = human ? label.padding(toLength: max(31, label.count), withPad: " ", startingAt: 0) : label
            ctl.print("\(device) \(padded) \(value)\n")
        }
        let params: [TypedParameter]
        do {
            params = try await dom.blockStats(device)
        } catch where error.code == .noSupport {
            // An older driver: the fixed five counters.
            ctl.resetError()
            let values: [Int64]
            do { values = try await dom.blockStatsLegacy(device) } catch {
                ctl.error("Failed to get block stats \(arg) \(device)")
                ctl.save(error)
                return false
            }
            if human {
                ctl.print("Device: \(device)\n")
                device = ""
            }
            for (i, v) in values.enumerated() where v >= 0 {
                line(human ? fields[i].human : fields[i].legacy ?? fields[i].field, String(v))
            }
            return true
        } catch {
            ctl.save(error)
            return false
        }
        if human {
            ctl.print("Device: \(device)\n")
            device = ""
        }
        var printed = Set<Int>()
        for f in fields {
            guard let i = params.firstIndex(where: { $0.name == f.field }) else { continue }
            printed.insert(i)
            line(human ? f.human : f.legacy ?? f.field, DomStatsCommand.value(params[i].value))
        }
        for (i, p) in params.enumerated() where !printed.contains(i) {
            ctl.print("\(device) \(p.name) \(DomStatsCommand.value(p.value))\n")
        }
        return true
    }
}
