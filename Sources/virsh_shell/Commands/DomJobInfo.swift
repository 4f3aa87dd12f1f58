import Foundation
import libvirt_abi

/// `domjobinfo`: the job a domain runs, or with `--completed` the
/// statistics of its last finished job (a migration's downtime included).
///
/// libvirt: `cmdDomjobinfo` (tools/virsh-domain.c).
enum DomJobInfoCommand: VirshCommand {
    static let name = "domjobinfo"
    static let group = CommandGroup.domain
    static let help = "domain job information"
    static let description = "Returns information about jobs running on a domain."
    static let options: [OptionDef] = [
        .domainFull,
        .bool("completed", "return statistics of a recently completed job"),
        .bool("keep-completed", "don't destroy statistics of a recently completed job when reading"),
        .bool("anystats", "print statistics for any kind of job (even failed ones)"),
        .bool("rawstats", "print the raw data returned by libvirt"),
    ]

    static let typeWords = ["None", "Bounded", "Unbounded", "Completed", "Failed", "Cancelled"]
    static let operationWords = ["Unknown", "Start", "Save", "Restore", "Incoming migration", "Outgoing migration",
                                 "Snapshot", "Snapshot revert", "Dump", "Backup", "Snapshot delete"]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard cmd.requires("keep-completed", "completed", ctl) else { return false }
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        let completed = cmd.bool("completed")
        // The embedded driver keeps the completed statistics (as
        // --keep-completed does); libvirt's client gets what it asks for.
        let rawstats = cmd.bool("rawstats")
        var type: Int32, params: [TypedParameter]
        do {
            (type, params) = try await dom.jobStats(completed: completed)
        } catch where error.code == .noSupport {
            // An older driver: the fixed fields of virDomainGetJobInfo.
            if completed || rawstats {
                ctl.error("Optional flags or --rawstats are not supported by the daemon")
                return false
            }
            do {
                let info = try await dom.jobProgress()
                (type, params) = (info.type.rawValue, info.parameters)
            } catch {
                ctl.save(error)
                return false
            }
        } catch {
            ctl.save(error)
            return false
        }
        ctl.print(format(type: type, params: params, completed: completed, anystats: cmd.bool("anystats"),
                         rawstats: rawstats))
        return true
    }

    /// The report, field by field as virsh prints it.
    static func format(type: Int32, params: [TypedParameter], completed: Bool, anystats: Bool, rawstats: Bool) -> String {
        func ull(_ name: String) -> UInt64? {
            for p in params.reversed() where p.name == name { if case .ullong(let v) = p.value { return v } }
            return nil
        }
        func int(_ name: String) -> Int32? {
            for p in params.reversed() where p.name == name { if case .int(let v) = p.value { return v } }
            return nil
        }
        if rawstats {
            var s = "Job type: \(type)\n\n"
            for p in params { s += "\(p.name): \(raw(p.value))\n" }
            return s
        }
        var s = ""
        func line(_ label: String, _ value: String) { s += label.padding(17) + " " + value + "\n" }
        func num(_ label: String, _ v: UInt64, _ unit: String) { line(label, String(v).padding(12) + " " + unit) }
        func size(_ label: String, _ v: UInt64, _ suffix: String = "") {
            let (value, unit) = prettyCapacity(v)
            line(label, String(format: "%-.3f", value) + " " + unit + suffix)
        }
        let word = type >= 0 && Int(type) < typeWords.count ? typeWords[Int(type)] : "unknown"
        line("Job type:", word.padding(12))
        if type == DomainJobType.none.rawValue { return s }
        let op = int("operation") ?? 0
        line("Operation:", (op >= 0 && Int(op) < operationWords.count ? operationWords[Int(op)] : "unknown").padding(12))
        if !anystats && type != DomainJobType.bounded.rawValue && type != DomainJobType.unbounded.rawValue
            && !(completed && type == DomainJobType.completed.rawValue) {
            return s
        }
        num("Time elapsed:", ull("time_elapsed") ?? 0, "ms")
        if let v = ull("time_elapsed_net") { num("Time elapsed w/o network:", v, "ms") }
        if type == DomainJobType.bounded.rawValue { num("Time remaining:", ull("time_remaining") ?? 0, "ms") }
        let dt = ull("data_total") ?? 0, dr = ull("data_remaining") ?? 0, dp = ull("data_processed") ?? 0
        if dt != 0 || dr != 0 || dp != 0 {
            size("Data processed:", dp)
            size("Data remaining:", dr)
            size("Data total:", dt)
        }
        let mt = ull("memory_total") ?? 0, mr = ull("memory_remaining") ?? 0, mp = ull("memory_processed") ?? 0
        if mt != 0 || mr != 0 || mp != 0 {
            size("Memory processed:", mp)
            size("Memory remaining:", mr)
            size("Memory total:", mt)
            if let v = ull("memory_bps"), v != 0 { size("Memory bandwidth:", v, "/s") }
            if let v = ull("memory_dirty_rate") { num("Dirty rate:", v, "pages/s") }
            if let v = ull("memory_page_size") { num("Page size:", v, "bytes") }
            if let v = ull("memory_iteration") { line("Iteration:", String(v).padding(12)) }
            if let v = ull("memory_postcopy_requests") { line("Postcopy requests:", String(v).padding(12)) }
        }
        let ft = ull("disk_total") ?? 0, fr = ull("disk_remaining") ?? 0, fp = ull("disk_processed") ?? 0
        if ft != 0 || fr != 0 || fp != 0 {
            size("File processed:", fp)
            size("File remaining:", fr)
            size("File total:", ft)
            if let v = ull("disk_bps"), v != 0 { size("File bandwidth:", v, "/s") }
        }
        if let v = ull("memory_constant") { line("Constant pages:", String(v).padding(12)) }
        if let v = ull("memory_normal") { line("Normal pages:", String(v).padding(12)) }
        if let v = ull("memory_normal_bytes") { size("Normal data:", v) }
        if let v = ull("downtime") {
            num(type == DomainJobType.completed.rawValue ? "Total downtime:" : "Expected downtime:", v, "ms")
        }
        if let v = ull("downtime_net") { num("Downtime w/o network:", v, "ms") }
        if let v = ull("setup_time") { num("Setup time:", v, "ms") }
        if let v = ull("compression_cache") { size("Compression cache:", v) }
        if let v = ull("compression_bytes") { size("Compressed data:", v) }
        if let v = ull("compression_pages") { line("Compressed pages:", String(v).padding(13)) }
        if let v = ull("compression_cache_misses") { line("Compression cache misses:", String(v).padding(13)) }
        if let v = ull("compression_overflow") { line("Compression overflows:", String(v).padding(13)) }
        if let v = int("auto_converge_throttle") { line("Auto converge throttle:", String(v).padding(13)) }
        if let v = ull("disk_temp_used") { size("Temporary disk space use:", v) }
        if let v = ull("disk_temp_total") { size("Temporary disk space total:", v) }
        // The series' own field (libvirt 9.0 has none): how a local migration moved the guest.
        for p in params where p.name == "migration_mode" {
            if case .string(let m) = p.value { line("Migration mode:", m) }
        }
        for p in params.reversed() where p.name == "errmsg" {
            if case .string(let m) = p.value { line("Error message:", m) }
            break
        }
        return s
    }

    /// libvirt: `vshPrettyCapacity`.
    static func prettyCapacity(_ v: UInt64) -> (Double, String) {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var limit = 1024.0
        for (i, u) in units.enumerated() {
            if Double(v) < limit || i == units.count - 1 {
                return (i == 0 ? Double(v) : Double(v) / (limit / 1024), u)
            }
            limit *= 1024
        }
        return (Double(v), "B")
    }

    /// libvirt: `virTypedParameterToString`.
    static func raw(_ v: TypedParameter.Value) -> String {
        switch v {
        case .int(let x): return String(x)
        case .uint(let x): return String(x)
        case .llong(let x): return String(x)
        case .ullong(let x): return String(x)
        case .double(let x): return String(format: "%lf", x)
        case .boolean(let x): return x ? "1" : "0"
        case .string(let x): return x
        }
    }
}
