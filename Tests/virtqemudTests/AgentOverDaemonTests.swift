import Foundation
import Glibc
import Testing
import TestSupport

/// The guest agent through our daemon (procedures 337, 338, 349, 353, 418), from
/// Debian's virsh and ours: the Linux guest's qemu-guest-agent answers,
/// and still answers after a local migration, on the channel of the new
/// QEMU.
@Suite(.serialized) struct AgentOverDaemonTests {
    @Test func theAgentThroughTheDaemonAndAcrossALocalMigration() throws {
        let virsh = try #require(BuiltProduct.path("virsh"), "build the package first (make test does)")
        let root = TestRoot("ovagent")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let serial = root.path + "/serial.log"
        let xmlFile = root.path + "/linux.xml"
        try LinuxGuest.domainXML(name: "linux", disk: try LinuxGuest.disk(in: root.path), serialLog: serial,
                                 dataDisk: try LinuxGuest.dataDisk(in: root.path))
            .write(toFile: xmlFile, atomically: true, encoding: .utf8)
        func run(_ binary: String, _ args: String...) throws -> Subprocess.Result {
            var env = ProcessInfo.processInfo.environment
            env["LIBVIRT_DEFAULT_URI"] = nil
            env["LC_ALL"] = "C"
            return try Subprocess.run(binary, ["-c", daemon.uri] + args, environment: env)
        }
        func seconds(_ r: Subprocess.Result) -> Int64? {
            let line = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            return line.hasPrefix("Time: ") ? Int64(line.dropFirst(6)) : nil
        }
        #expect(try run(virsh, "define", xmlFile).status == 0)
        for binary in [virsh, "/usr/bin/virsh"] {
            let off = try run(binary, "domtime", "linux")
            #expect(off.status == 1 && off.stderr == "error: Requested operation is not valid: domain is not running\n", "\(binary): \(off)")
        }
        #expect(try run(virsh, "start", "linux").status == 0)
        #expect(Wait.untilBlocking(timeout: .seconds(120)) { LinuxGuest.lines(inLog: serial).contains("agent") },
                "the guest starts its agent: \(LinuxGuest.lines(inLog: serial))")
        // qemu-ga opens its port a moment after it says it started.
        #expect(Wait.untilBlocking(timeout: .seconds(60)) { (try? run(virsh, "domtime", "linux"))?.status == 0 },
                "the agent's port opens")

        for binary in [virsh, "/usr/bin/virsh"] {
            let t = try run(binary, "domtime", "linux")
            #expect(t.status == 0, "\(binary): \(t)")
            #expect(abs((seconds(t) ?? 0) - Int64(Date().timeIntervalSince1970)) < 60, "\(binary): the guest's clock: \(t)")
            #expect(try run(binary, "domtime", "linux", "--time", "1700000000").status == 0)
            let set = try run(binary, "domtime", "linux")
            #expect((1_700_000_000..<1_700_000_060).contains(seconds(set) ?? 0), "\(binary): set: \(set)")
            #expect(try run(binary, "domtime", "linux", "--now").status == 0)
            let big = try run(binary, "domtime", "linux", "--time", "99999999999999")
            #expect(big.stderr == "error: invalid argument: Time '99999999999999' is too big for guest agent\n", "\(binary): \(big)")
        }

        // A local migration: the new QEMU has its own channel socket, and
        // the agent, which never stopped, answers on it.
        let moved = try run(virsh, "migrate", "--live", "--local", "linux", daemon.uri)
        #expect(moved.status == 0, "\(moved)")
        for binary in [virsh, "/usr/bin/virsh"] {
            let t = try run(binary, "domtime", "linux")
            #expect(t.status == 0, "\(binary) after the migration: \(t)")
            #expect(abs((seconds(t) ?? 0) - Int64(Date().timeIntervalSince1970)) < 60, "\(binary): \(t)")
        }
        #expect(LinuxGuest.lines(inLog: serial).filter { $0 == "booted" }.count == 1, "the guest booted once so far")

        // Filesystems and what the guest says about itself (procedures 349,
        // 418), the same from both virsh binaries.
        let fs = try run(virsh, "domfsinfo", "linux")
        #expect(fs.stdout == " Mountpoint   Name   Type   Target\n------------------------------------\n /mnt/data    vdb    vfat   vdb\n\n",
                "\(fs)")
        #expect(try run("/usr/bin/virsh", "domfsinfo", "linux").stdout == fs.stdout)
        let info = try run(virsh, "guestinfo", "linux", "--hostname", "--filesystem", "--disk")
        #expect(info.stdout.hasPrefix("hostname            : lmguest\nfs.count            : 1\n"), "\(info)")
        #expect(info.stdout.contains("disk.1.alias        : vdb\n"), "\(info)")
        #expect(try run("/usr/bin/virsh", "guestinfo", "linux", "--hostname", "--filesystem", "--disk").stdout == info.stdout)
        // Addresses through the daemon (procedure 353), the same from both.
        let addrs = try run("/usr/bin/virsh", "domifaddr", "linux", "--source", "agent")
        #expect(addrs.stdout.contains(" eth0       52:54:00:4c:4d:01    ipv4         10.0.2.15/24\n"), "\(addrs)")
        #expect(try run(virsh, "domifaddr", "linux", "--source", "agent").stdout == addrs.stdout)
        let readOnly = try Subprocess.run("/usr/bin/virsh", ["-r", "-c", daemon.uri, "guestinfo", "linux"], environment: ["LC_ALL": "C"])
        #expect(readOnly.stderr.contains("read only access prevents virDomainGetGuestInfo"), "\(readOnly)")

        // reboot: through the agent when no way is named; by ACPI the
        // guest powers off (its acpid) and the daemon resets and resumes
        // its QEMU: the same process boots it again.
        let processes = TestRoot.processes(mentioning: root.path + "/")
        let reboot = try run("/usr/bin/virsh", "reboot", "linux")
        #expect(reboot.status == 0 && reboot.stdout == "Domain 'linux' is being rebooted\n\n", "\(reboot)")
        #expect(Wait.untilBlocking(timeout: .seconds(120)) { LinuxGuest.lines(inLog: serial).filter { $0 == "agent" }.count == 2 },
                "the guest boots again: \(LinuxGuest.lines(inLog: serial))")
        #expect(try run(virsh, "domstate", "--reason", "linux").stdout == "running (migrated)\n\n", "a reboot is no new start")
        #expect(Wait.untilBlocking(timeout: .seconds(60)) { LinuxGuest.lines(inLog: serial).filter { $0 == "acpid" }.count == 2 },
                "the guest's acpid runs")
        let acpi = try run("/usr/bin/virsh", "reboot", "linux", "--mode", "acpi")
        #expect(acpi.status == 0 && acpi.stdout == "Domain 'linux' is being rebooted\n\n" && acpi.stderr.isEmpty, "\(acpi)")
        #expect(Wait.untilBlocking(timeout: .seconds(120)) { LinuxGuest.lines(inLog: serial).filter { $0 == "agent" }.count == 3 },
                "the guest boots again: \(LinuxGuest.lines(inLog: serial))")
        #expect(LinuxGuest.lines(inLog: serial).contains("powering off"), "it powered off for the reboot")
        #expect(TestRoot.processes(mentioning: root.path + "/") == processes, "in the same QEMU")
        #expect(try run(virsh, "domstate", "--reason", "linux").stdout == "running (migrated)\n\n", "the domain never left running")
        #expect(Wait.untilBlocking(timeout: .seconds(60)) { (try? run(virsh, "domtime", "linux"))?.status == 0 },
                "the agent answers again")

        // Paused: libvirt does not ask the agent.
        #expect(try run(virsh, "suspend", "linux").status == 0)
        let paused = try run("/usr/bin/virsh", "domtime", "linux")
        #expect(paused.stderr == "error: Requested operation is not valid: domain is not running\n", "\(paused)")
        #expect(try run(virsh, "destroy", "linux").status == 0)
    }
}
