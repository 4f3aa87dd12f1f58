import Foundation
import Glibc
import domain_conf
import libvirt_abi
import virutil

/// The host's SMBIOS tables, read with `dmidecode` (the tables libvirt
/// asks it for: 0, 1, 2, 3, 4, 11, 17).
///
/// libvirt: `virSysinfoReadDMI`, `virSysinfoDMIDecodeOEMString`.
enum HostSysinfo {
    static let dmidecode = "/usr/sbin/dmidecode"
    static let log = DriverLog.logger("qemu.qemu_driver")

    /// Runs `dmidecode` as libvirt does at the daemon's start.
    ///
    /// - Returns: `nil` when it cannot tell (no SMBIOS tables: it fails).
    static func read(dmidecode: String = dmidecode) -> SysinfoDef? {
        func run(_ args: [String]) -> (status: Int32, out: String, err: String)? {
            var command = VirCommand([dmidecode] + args)
            // Its complaints, which it makes with exit status 0 for an OEM
            // string out of range.
            let errFile = FileManager.default.temporaryDirectory.appendingPathComponent("dmidecode-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).err").path
            command.stderr = .appendFile(errFile)
            defer { unlink(errFile) }
            let status: Int32, out: String
            do { (status, out) = try command.output(timeout: .seconds(30)) } catch {
                log.error("cannot run \(dmidecode): \(error.message)", metadata: ["step": "sysinfo"])
                return nil
            }
            let err = (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? ""
            return (VirCommand.exitCode(status), out, err)
        }
        guard let main = run(["-q", "-t", "0,1,2,3,4,11,17"]), main.status == 0 else { return nil }
        do {
            return try SysinfoDef.parseDMI(main.out) { (i: Int) throws(VirError) -> String in
                // dmidecode exits 0 for an index out of range, and says so on stderr.
                guard let r = run(["--dump", "--oem-string", String(i)]), r.status == 0, r.err.isEmpty else {
                    throw VirError(.internalError, "cannot read OEM string \(i)")
                }
                return r.out
            }
        } catch {
            log.error("cannot read the host's SMBIOS tables: \(error.message)", metadata: ["step": "sysinfo"])
            return nil
        }
    }
}
