import Foundation
import domain_conf
import libvirt_abi

/// `vcpuinfo`: each vCPU's host CPU, state, CPU time and affinity; for a
/// shut-off domain its pinning from the definition.
///
/// libvirt: `cmdVcpuinfo`, `virshVcpuinfoInactive`, `virshDomainGetVcpuBitmap`,
/// `virshVcpuinfoPrintAffinity` (tools/virsh-domain.c).
enum VcpuInfoCommand: VirshCommand {
    static let name = "vcpuinfo"
    static let group = CommandGroup.domain
    static let help = "detailed domain vcpu information"
    static let description = "Returns basic information about the domain virtual CPUs."
    static let options: [OptionDef] = [.domainFull, .bool("pretty", "return human readable output")]

    static func label(_ s: String) -> String { s.padding(toLength: max(15, s.count), withPad: " ", startingAt: 0) }

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard let (dom, _) = await cmd.domain(ctl) else { return false }
        let pretty = cmd.bool("pretty")
        let conn: any VirshConnection
        let maxcpu: Int
        let info: VirshDomainInfo
        do {
            conn = try ctl.connected
            // virshNodeGetCPUCount: the node's CPU map, else its topology.
            if let n = try? await conn.nodeCPUCount() {
                maxcpu = n
            } else {
                let n = try await conn.nodeInfo()
                maxcpu = Int(n.nodes * n.sockets * n.cores * n.threads)
            }
            info = try await dom.info()
        } catch {
            ctl.save(error)
            return false
        }
        let vcpus: [VirshVcpuInfo]
        do {
            vcpus = try await dom.vcpus(maxInfo: Int(info.vcpus), hostCPUs: maxcpu)
        } catch {
            guard info.state == DomainState.shutoff.rawValue else {
                ctl.save(error)
                return false
            }
            ctl.resetError()
            return await inactive(dom, maxcpu: maxcpu, pretty: pretty, ctl)
        }
        let states = ["offline", "running", "blocked"]
        for (n, v) in vcpus.enumerated() {
            ctl.print("\(label("VCPU:")) \(v.number)\n")
            ctl.print("\(label("CPU:")) \(v.cpu)\n")
            ctl.print("\(label("State:")) \(states.indices.contains(Int(v.state)) ? states[Int(v.state)] : "no state")\n")
            if v.cpuTime != 0 {
                ctl.print("\(label("CPU time:")) " + String(format: "%.1fs", Double(v.cpuTime) / 1e9) + "\n")
            }
            printAffinity(v.affinity, maxcpu: maxcpu, pretty: pretty, ctl)
            if n < vcpus.count - 1 { ctl.print("\n") }
        }
        return true
    }

    /// libvirt: `virshVcpuinfoInactive` over `virshDomainGetVcpuBitmap`.
    @MainActor static func inactive(_ dom: any VirshDomain, maxcpu: Int, pretty: Bool, _ ctl: Control) async -> Bool {
        let root: XMLElement
        do {
            let text = try await dom.xmlDesc(.inactive)
            root = try XMLParser.parse(text, url: "(domain_definition)")
        } catch let e as VirshError {
            ctl.save(e)
            return false
        } catch {
            ctl.error("\(error)")
            return false
        }
        guard let maxText = root.child("vcpu")?.text, let maxvcpus = UInt32(maxText.trimmingCharacters(in: .whitespaces)) else {
            ctl.error("Failed to retrieve maximum vcpu count")
            return false
        }
        var current = root.child("vcpu")?.attribute("current").flatMap { UInt32($0) } ?? 0
        if current == 0 { current = maxvcpus }
        var online = [Bool](repeating: false, count: Int(maxvcpus))
        let entries = root.child("vcpus")?.children(named: "vcpu") ?? []
        if entries.isEmpty {
            for i in 0..<Int(min(current, maxvcpus)) { online[i] = true }
        } else {
            for e in entries {
                guard let id = e.attribute("id").flatMap({ Int($0) }), let enabled = e.attribute("enabled") else { continue }
                if enabled == "yes", id < online.count { online[id] = true }
            }
            if online.filter({ $0 }).count != Int(current) {
                ctl.error("Failed to retrieve vcpu state bitmap")
                return false
            }
        }
        let maps: [[Bool]]
        do { maps = try await dom.vcpuPinInfo(count: online.count, hostCPUs: maxcpu, flags: 2) } catch {
            ctl.save(error)
            return false
        }
        var first = true
        for (i, on) in online.enumerated() where on {
            if !first { ctl.print("\n") }
            first = false
            ctl.print("\(label("VCPU:")) \(i)\n")
            ctl.print("\(label("CPU:")) N/A\n")
            ctl.print("\(label("State:")) N/A\n")
            ctl.print("\(label("CPU time")) N/A\n")
            printAffinity(i < maps.count ? maps[i] : [], maxcpu: maxcpu, pretty: pretty, ctl)
        }
        return true
    }

    /// `y`/`-` per host CPU, or with `--pretty` the ranges
    /// (`virBitmapDataFormat`, `0-3,6`) and the count.
    @MainActor static func printAffinity(_ map: [Bool], maxcpu: Int, pretty: Bool, _ ctl: Control) {
        var line = label("CPU Affinity:") + " "
        if pretty {
            var ranges: [String] = []
            var i = 0
            while i < map.count {
                guard map[i] else { i += 1; continue }
                var j = i
                while j + 1 < map.count && map[j + 1] { j += 1 }
                ranges.append(i == j ? "\(i)" : "\(i)-\(j)")
                i = j + 1
            }
            line += "\(ranges.joined(separator: ",")) (out of \(maxcpu))"
        } else {
            line += (0..<maxcpu).map { $0 < map.count && map[$0] ? "y" : "-" }.joined()
        }
        ctl.print(line + "\n")
    }
}
