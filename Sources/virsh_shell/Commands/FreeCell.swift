import Foundation

/// `freecell`: the host's free memory, in all or by NUMA cell.
///
/// libvirt: `cmdFreecell` (tools/virsh-host.c).
enum FreeCellCommand: VirshCommand {
    static let name = "freecell"
    static let group = CommandGroup.host
    static let help = "NUMA free memory"
    static let description = "display available free memory for the NUMA cell."
    static let options: [OptionDef] = [
        .int("cellno", "NUMA cell number"),
        .bool("all", "show free memory for all NUMA cells"),
    ]

    static func run(_ cmd: ParsedCommand, _ ctl: Control) async -> Bool {
        guard cmd.exclusive("all", "cellno", ctl), case .success(let cell) = cmd.int("cellno", ctl) else { return false }
        let conn: any VirshConnection
        do { conn = try ctl.connected } catch {
            ctl.save(error)
            return false
        }
        do {
            if !cmd.bool("all") {
                if let cell {
                    let free = try await conn.cellsFreeMemory(start: cell, maxCells: 1)
                    guard let bytes = free.first, free.count == 1 else { return false }
                    ctl.print("\(cell): \(bytes / 1024) KiB\n")
                    return true
                }
                ctl.print("Total: \(try await conn.freeMemory() / 1024) KiB\n")
                return true
            }
            let ids: [UInt64]
            do { ids = try await conn.numaCellIDs() } catch {
                ctl.error("unable to get node capabilities")
                return false
            }
            var total: UInt64 = 0
            var out = ""
            for id in ids {
                let bytes: UInt64
                do throws(VirshError) {
                    guard let b = try await conn.cellsFreeMemory(start: Int32(clamping: id), maxCells: 1).first else {
                        throw VirshError(code: .internalError, message: "no free memory for NUMA node \(id)")
                    }
                    bytes = b
                } catch {
                    ctl.save(error)
                    ctl.error("failed to get free memory for NUMA node number: \(id)")
                    return false
                }
                out += String(format: "%5llu: %10llu KiB\n", id, bytes / 1024)
                total += bytes
            }
            ctl.print(out)
            ctl.printExtra("--------------------\n" + String(format: "%5@: %10llu KiB\n", "Total" as NSString, total / 1024))
            return true
        } catch {
            ctl.save(error)
            return false
        }
    }
}
