import Foundation

/// `nodeinfo`: the host's processors and memory.
///
/// libvirt: `cmdNodeinfo` (tools/virsh-host.c).
enum NodeInfoCommand: VirshCommand {
    static let name = "nodeinfo"
    static let group = CommandGroup.host
    static let help = "node information"
    static let description = "Returns basic information about the node."
    static let options: [OptionDef] = []

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        let info: VirshNodeInfo
        do {
            info = try await ctl.connected.nodeInfo()
        } catch {
            ctl.save(error)
            ctl.error("failed to get node information")
            return false
        }
        func row(_ label: String, _ value: String) -> String {
            label.padding(toLength: max(20, label.count), withPad: " ", startingAt: 0) + " " + value + "\n"
        }
        var out = row("CPU model:", info.model) + row("CPU(s):", String(info.cpus))
        if info.mhz != 0 { out += row("CPU frequency:", "\(info.mhz) MHz") }
        out += row("CPU socket(s):", String(info.sockets)) + row("Core(s) per socket:", String(info.cores))
            + row("Thread(s) per core:", String(info.threads)) + row("NUMA cell(s):", String(info.nodes))
            + row("Memory size:", "\(info.memory) KiB")
        ctl.print(out)
        return true
    }
}
