import Foundation
import Glibc
import Testing
import TestSupport

/// The command line as a user types it, on the embedded driver, with the
/// project's counter guest (TCG, 16 MiB, RAM in a shared file): define,
/// start, `migrate --live --local --verbose`, dominfo, destroy, undefine,
/// each its own virsh process, checking outputs, exit codes, and that the
/// guest's counter went on across the migration.
@Suite(.serialized)
struct LocalMigrationShellTests {
    /// `make` builds our virsh: without it this fails, it is not skipped.
    init() throws {
        try #require(Virsh.ours != nil, "our virsh is not built")
    }

    /// A root with the counter guest's files and its domain XML.
    struct Guest {
        let root: TestRoot
        let name: String
        let xmlFile: String
        let serial: String
        var env: [String: String] { ["LIBVIRT_DEFAULT_URI": root.uri] }

        init(_ label: String, name: String = "vm", sharedMemory: Bool = true, memfd: Bool = false, emulator: String? = nil,
             ballastMiB: Int? = nil, extraDevices: String = "", memballoon: String = "none", features: String = "",
             ptyConsole: Bool = false, vcpu: String = "<vcpu>1</vcpu>") throws {
            let root = TestRoot(label)
            self.root = root
            self.name = name
            serial = root.path + "/serial.log"
            let disk = try CounterGuest.disk(in: root.path)
            let ballast = try ballastMiB.map { try CounterGuest.ballast(in: root.path, mebibytes: $0) }
            let xml = CounterGuest.domainXML(name: name, disk: disk, serialLog: serial, sharedMemory: sharedMemory,
                                             memfd: memfd, emulator: emulator, extraDevices: extraDevices, memballoon: memballoon, ballast: ballast,
                                             features: features, ptyConsole: ptyConsole, vcpu: vcpu)
            xmlFile = root.path + "/\(name).xml"
            try xml.write(toFile: xmlFile, atomically: true, encoding: .utf8)
        }

        @discardableResult
        func virsh(_ args: String...) -> VirshResult { Virsh.run(Virsh.ours ?? "", args, env: env) }

        /// `dominfo` as field → value.
        func info() -> [String: String] {
            var d: [String: String] = [:]
            for line in virsh("dominfo", name).stdout.split(separator: "\n") {
                guard let colon = line.firstIndex(of: ":") else { continue }
                d[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            return d
        }

        /// QEMU processes under the root.
        var qemus: [pid_t] { TestRoot.processes(mentioning: root.path + "/") }

        func counterAdvances(by n: Int = 3) -> Bool {
            CounterGuest.waitForCounter(inLog: serial, atLeast: (CounterGuest.counters(inLog: serial).last ?? 0) + n)
        }

        func countersAreContinuous() -> Bool {
            let c = CounterGuest.counters(inLog: serial)
            return !c.isEmpty && c == Array(0..<c.count)
        }
    }

    /// QEMU 10.0's live update from the command line: chosen by itself for
    /// a memfd guest, shown by `domjobinfo --completed`, and refused or
    /// turned off with `--local-mode`.
    @Test func aMemfdGuestOn100MovesByCPRTransferAndDomjobinfoSaysSo() throws {
        let g = try Guest("vsh-cpr", sharedMemory: false, memfd: true, emulator: Emulators.qemu100)
        defer { #expect(g.root.cleanup() == []) }
        #expect(g.virsh("create", g.xmlFile).status == 0)
        #expect(CounterGuest.waitForCounter(inLog: g.serial, atLeast: 3))
        var r = g.virsh("migrate", "--live", "--local", "vm", g.root.uri)
        #expect(r == VirshResult(stdout: "\n", stderr: "", status: 0), "\(r)")
        r = g.virsh("domjobinfo", "vm", "--completed")
        #expect(r.status == 0 && r.stdout.contains("\nMigration mode:   cpr-transfer\n"), "\(r.stdout)")
        r = g.virsh("migrate", "--live", "--local", "--local-mode", "normal", "vm", g.root.uri)
        #expect(r.status == 0, "\(r)")
        r = g.virsh("domjobinfo", "vm", "--completed")
        #expect(r.stdout.contains("\nMigration mode:   normal\n"), "\(r.stdout)")
        r = g.virsh("migrate", "--live", "--local", "--local-mode", "fastest", "vm", g.root.uri)
        #expect(r == VirshResult(stdout: "\n", stderr: "error: invalid argument: invalid value 'fastest' for parameter 'local_mode', expected 'cpr-transfer' or 'normal'\n", status: 1), "\(r)")
        #expect(g.counterAdvances())
        #expect(g.countersAreContinuous())
        #expect(g.qemus.count == 1)
        #expect(g.virsh("destroy", "vm").status == 0)
    }

    @Test func defineStartMigrateLocallyDestroyUndefine() throws {
        let g = try Guest("vsh")
        defer { #expect(g.root.cleanup() == []) }

        var r = g.virsh("define", g.xmlFile)
        #expect(r == VirshResult(stdout: "Domain 'vm' defined from \(g.xmlFile)\n\n", stderr: "", status: 0))
        r = g.virsh("list", "--all")
        #expect(r.stdout == " Id   Name   State\n-----------------------\n -    vm     shut off\n\n" && r.status == 0)

        r = g.virsh("start", "vm")
        #expect(r == VirshResult(stdout: "Domain 'vm' started\n\n", stderr: "", status: 0))
        #expect(CounterGuest.waitForCounter(inLog: g.serial, atLeast: 5), "the guest counts")
        let before = g.info()
        #expect(before["State"] == "running" && before["Id"] == "1" && before["Persistent"] == "yes")
        #expect(g.virsh("domstate", "--reason", "vm").stdout == "running (booted)\n\n")
        let pidBefore = try #require(g.qemus.first)
        #expect(g.qemus.count == 1)

        r = g.virsh("migrate", "--live", "--local", "--verbose", "vm", g.root.uri)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout == "\n")
        #expect(r.stderr.hasSuffix("\rMigration: [100 %]"), "progress on stderr as virsh prints it: \(r.stderr.debugDescription)")

        let after = g.info()
        #expect(after["Name"] == before["Name"] && after["UUID"] == before["UUID"], "name and UUID stay")
        #expect(after["Id"] == "2", "a new instance, a new id")
        #expect(after["State"] == "running")
        #expect(g.virsh("domstate", "--reason", "vm").stdout == "running (migrated)\n\n")
        #expect(g.virsh("list").stdout == " Id   Name   State\n----------------------\n 2    vm     running\n\n")
        #expect(g.virsh("domid", "vm").stdout == "2\n\n")
        #expect(g.virsh("domname", "2").stdout == "vm\n\n")
        #expect(g.virsh("domid", "1").status == 1, "the old id is gone")
        let pidAfter = try #require(g.qemus.first)
        #expect(g.qemus.count == 1 && pidAfter != pidBefore, "exactly one QEMU, a new one")
        #expect(g.counterAdvances(), "the guest goes on counting")
        #expect(g.countersAreContinuous(), "from where it was: no gap, no restart")

        // The reason of a shut-off state lives in the driver's memory: ask
        // in the same virsh process.
        r = g.virsh("destroy vm; domstate --reason vm")
        #expect(r == VirshResult(stdout: "Domain 'vm' destroyed\n\nshut off (destroyed)\n\n", stderr: "", status: 0))
        #expect(g.qemus.isEmpty)
        r = g.virsh("undefine", "vm")
        #expect(r == VirshResult(stdout: "Domain 'vm' has been undefined\n\n", stderr: "", status: 0))
        r = g.virsh("dominfo", "vm")
        #expect(r == VirshResult(stdout: "\n", stderr: "error: failed to get domain 'vm'\n", status: 1))
        #expect(g.virsh("list", "--all").stdout == " Id   Name   State\n--------------------\n\n")
    }

    @Test func completedJobStatisticsAndTheUpgradeToAnotherEmulator() throws {
        let g = try Guest("vup")
        defer { #expect(g.root.cleanup() == []) }
        #expect(g.virsh("define", g.xmlFile).status == 0)
        #expect(g.virsh("start", "vm").status == 0)
        #expect(CounterGuest.waitForCounter(inLog: g.serial, atLeast: 3))

        // One virsh process: the statistics stay with the domain in the
        // driver that ran the migration.
        var r = g.virsh("migrate --live --local vm \(g.root.uri); domjobinfo --completed vm")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("Job type:         Completed   \nOperation:        Outgoing migration\n"))
        #expect(r.stdout.range(of: #"Total downtime:   \d+ +ms\n"#, options: .regularExpression) != nil, "\(r.stdout)")

        // The upgrade: the same guest, QEMU 10.0 instead of 7.2.
        #expect(g.virsh("dumpxml", "vm").stdout.contains("machine='pc-i440fx-7.2'"), "the machine type was pinned at define")
        #expect(Self.runningQemu(g).hasPrefix("7.2."))
        let xml = try String(contentsOfFile: g.xmlFile, encoding: .utf8)
        let uuid = g.virsh("domuuid", "vm").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let newXML = xml.replacingOccurrences(of: "<devices>", with: "<devices>\n<emulator>\(Emulators.qemu100)</emulator>")
            .replacingOccurrences(of: "<name>vm</name>", with: "<name>vm</name><uuid>\(uuid)</uuid>")
            .replacingOccurrences(of: "machine='pc'", with: "machine='pc-i440fx-7.2'")
        try newXML.write(toFile: g.root.path + "/new.xml", atomically: true, encoding: .utf8)
        r = g.virsh("migrate", "--live", "--local", "--xml", g.root.path + "/new.xml", "vm", g.root.uri)
        #expect(r.status == 0, "\(r)")
        #expect(g.virsh("dumpxml", "vm").stdout.contains("<emulator>\(Emulators.qemu100)</emulator>"))
        #expect(Self.runningQemu(g) == "10.0.2", "qemu-monitor-command asks the new instance")
        #expect(g.virsh("domuuid", "vm").stdout == uuid + "\n\n")
        #expect(g.counterAdvances())
        #expect(g.countersAreContinuous())
        #expect(g.virsh("destroy", "vm").status == 0)
        #expect(g.virsh("undefine", "vm").status == 0)
    }

    /// `qemu-monitor-command DOM query-version`: the QEMU an instance runs.
    static func runningQemu(_ g: Guest) -> String { runningQemu(name: g.name, env: g.env) }

    static func runningQemu(name: String, env: [String: String]) -> String {
        let r = Virsh.run(Virsh.ours ?? "", ["qemu-monitor-command", name, "--return-value", #"{"execute":"query-version"}"#], env: env)
        guard let data = r.stdout.data(using: .utf8),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let q = obj["qemu"] as? [String: Any] else { return "unreadable: \(r)" }
        return "\(q["major"] ?? "?").\(q["minor"] ?? "?").\(q["micro"] ?? "?")"
    }

    @Test func errorsOfMigrate() throws {
        let g = try Guest("ver")
        defer { #expect(g.root.cleanup() == []) }
        #expect(g.virsh("define", g.xmlFile).status == 0)
        var r = g.virsh("migrate", "--live", "--local", "vm", g.root.uri)
        #expect(r.status == 1)
        #expect(r.stderr == "error: Requested operation is not valid: domain is not running\n", "\(r)")
        #expect(g.virsh("start", "vm").status == 0)
        r = g.virsh("migrate", "--live", "vm", g.root.uri)
        #expect(r.status == 1)
        #expect(maskingUUIDs(r.stderr) == "error: internal error: Attempt to migrate guest to the same host UUID\n")
        r = g.virsh("migrate", "--live", "--p2p", "vm", g.root.uri)
        #expect(r.stderr == "error: Attempt to migrate guest to the same host\n" && r.status == 1)
        r = g.virsh("migrate", "--live", "--local", "--xml", g.root.path + "/missing.xml", "vm", g.root.uri)
        #expect(r.stderr == "error: cannot read file '\(g.root.path)/missing.xml'\nerror: Failed to open file '\(g.root.path)/missing.xml': No such file or directory\n")
        r = g.virsh("migrate", "--live", "--local", "--dname", "other", "vm", g.root.uri)
        #expect(r.status == 1 && r.stderr.contains("keeps the domain's name"), "\(r)")
        r = g.virsh("migrate", "--local", "--timeout", "5", "vm", g.root.uri)
        #expect(r.stderr == "error: migrate: Unexpected timeout for offline migration\n")
        // The guest was never disturbed.
        #expect(g.virsh("domid", "vm").stdout == "1\n\n")
        #expect(g.qemus.count == 1)
        // p2p with --local: the driver runs the five phases itself.
        r = g.virsh("migrate", "--live", "--local", "--p2p", "vm", g.root.uri)
        #expect(r.status == 0, "\(r)")
        #expect(g.virsh("domid", "vm").stdout == "2\n\n")
        #expect(g.virsh("destroy", "vm").status == 0)
    }

    @Test func ctrlCAbortsTheMigrationAndTheGuestRunsOn() throws {
        // Private memory with 64 MiB of random data and 8 MiB/s: about 8 s.
        let g = try Guest("vint", sharedMemory: false, ballastMiB: 64)
        defer { #expect(g.root.cleanup() == []) }
        let xml = try String(contentsOfFile: g.xmlFile, encoding: .utf8).replacingOccurrences(of: "<memory unit='MiB'>16</memory>",
                                                                                              with: "<memory unit='MiB'>128</memory>")
        try xml.write(toFile: g.xmlFile, atomically: true, encoding: .utf8)
        #expect(g.virsh("define", g.xmlFile).status == 0)
        #expect(g.virsh("start", "vm").status == 0)
        #expect(CounterGuest.waitForCounter(inLog: g.serial, atLeast: 3))

        var env = ProcessInfo.processInfo.environment
        env["LIBVIRT_DEFAULT_URI"] = g.root.uri
        let p = try Subprocess(Virsh.ours ?? "", ["migrate", "--live", "--local", "--verbose", "--bandwidth", "8", "vm", g.root.uri],
                               environment: env, stderr: .pipe)
        let err = try #require(p.standardError)
        // Wait for the progress bar, then Ctrl-C.
        var seen = Data()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline && String(decoding: seen, as: UTF8.self).range(of: #"Migration: \[ *[1-9]\d? %\]"#, options: .regularExpression) == nil {
            seen += err.availableData
        }
        kill(p.processIdentifier, SIGINT)
        seen += err.readDataToEndOfFile()
        p.wait()
        let stderr = String(decoding: seen, as: UTF8.self)
        #expect(p.terminationStatus == 1, "\(stderr)")
        #expect(stderr.contains("error: operation aborted") || stderr.contains("canceled"), "\(stderr.debugDescription)")
        #expect(!stderr.contains("[100 %]"))
        #expect(g.virsh("domid", "vm").stdout == "1\n\n", "the guest stays where it was")
        #expect(g.virsh("domstate", "vm").stdout == "running\n\n")
        #expect(g.qemus.count == 1)
        #expect(g.counterAdvances())
        #expect(g.virsh("destroy", "vm").status == 0)
    }

    @Test func sigtermClosesTheConnectionAndAutodestroyDomainsGo() throws {
        let g = try Guest("vad")
        defer { #expect(g.root.cleanup() == []) }
        #expect(g.virsh("define", g.xmlFile).status == 0)
        // `start --autodestroy`: the domain lives as long as the virsh
        // that started it (libvirt's close callback).
        let r = g.virsh("start", "--autodestroy", "vm")
        #expect(r == VirshResult(stdout: "Domain 'vm' started\n\n", stderr: "", status: 0))
        #expect(g.qemus.isEmpty, "virsh closed its connection at exit: the domain went with it")
        #expect(g.virsh("domstate", "--reason", "vm").stdout == "shut off (destroyed)\n\n")
    }

    @Test func theDefaultConnectionIsAnEmbeddedRootPerUser() throws {
        let root = TestRoot("vdef")
        defer { #expect(root.cleanup() == []) }
        let env = ["XDG_STATE_HOME": root.path, "LIBVIRT_DEFAULT_URI": ""]
        let r = Virsh.run(Virsh.ours ?? "", ["uri"], env: env)
        #expect(r == VirshResult(stdout: "qemu:///embed?root=\(root.path)/local-migration\n\n", stderr: "", status: 0))
        #expect(FileManager.default.fileExists(atPath: root.path + "/local-migration/etc/qemu"))
        let home = Virsh.run(Virsh.ours ?? "", ["uri"], env: ["XDG_STATE_HOME": "", "HOME": root.path + "/home"])
        #expect(home.stdout == "qemu:///embed?root=\(root.path)/home/.local/state/local-migration\n\n")
        let c = Virsh.run(Virsh.ours ?? "", ["-c", "test:///default", "uri"], env: env)
        #expect(c.stdout == "test:///default\n\n")
    }

    /// `vncdisplay` and `domdisplay` name the running instance's display,
    /// before and after `migrate --live --local`, and a stopped domain is
    /// refused as libvirt's virsh refuses it.
    @Test func theDisplayFollowsTheRunningInstance() throws {
        let g = try Guest("lmdisp", extraDevices: "<graphics type='vnc' autoport='yes'/><graphics type='spice' autoport='yes'/>")
        defer { #expect(g.root.cleanup() == []) }
        #expect(g.virsh("define", g.xmlFile).status == 0)
        let off = g.virsh("vncdisplay", g.name)
        #expect(off.status == 1 && off.stderr == "error: Domain is not running\n", "\(off)")
        #expect(g.virsh("start", g.name).status == 0)
        func display() -> (vnc: String, uri: String, all: String) {
            (g.virsh("vncdisplay", g.name).stdout, g.virsh("domdisplay", g.name).stdout,
             g.virsh("domdisplay", "--all", g.name).stdout)
        }
        let before = display()
        let vnc = try #require(before.vnc.split(separator: "\n").first.map(String.init))
        #expect(vnc.hasPrefix("127.0.0.1:"), "\(before)")
        let number = try #require(Int(vnc.dropFirst("127.0.0.1:".count)))
        #expect(before.uri == "vnc://127.0.0.1:\(number)\n")
        let spice = g.virsh("domdisplay", "--type", "spice", g.name).stdout
        #expect(spice.hasPrefix("spice://127.0.0.1:") && !spice.contains("tls-port"), "\(spice)")
        #expect(before.all == "vnc://127.0.0.1:\(number)\n" + spice + "\n", "one display per line, as virsh prints them: \(before.all)")
        let noRDP = g.virsh("domdisplay", "--type", "rdp", g.name)
        #expect(noRDP.status == 1 && noRDP.stderr == "error: No graphical display with type 'rdp' found\n")

        let m = g.virsh("migrate", "--live", "--local", g.name, g.root.uri)
        #expect(m.status == 0, "\(m)")
        let after = display()
        #expect(after.vnc != before.vnc && after.vnc.hasPrefix("127.0.0.1:"), "a new instance, its own port: \(after)")
        #expect(after.uri.hasPrefix("vnc://127.0.0.1:") && after.uri != before.uri)
        #expect(g.virsh("destroy", g.name).status == 0)
        #expect(g.virsh("undefine", g.name).status == 0)
    }

    /// `create`: a transient domain from a file, as libvirt's virsh starts
    /// one; it is gone once destroyed.
    @Test func createStartsATransientDomain() throws {
        let g = try Guest("lmcreate")
        defer { #expect(g.root.cleanup() == []) }
        let created = g.virsh("create", g.xmlFile)
        #expect(created.status == 0 && created.stdout == "Domain '\(g.name)' created from \(g.xmlFile)\n\n", "\(created)")
        #expect(g.info()["Persistent"] == "no" && g.info()["State"] == "running")
        #expect(g.counterAdvances())
        let again = g.virsh("create", g.xmlFile)
        #expect(again.status == 1 && again.stderr.hasPrefix("error: Failed to create domain from \(g.xmlFile)\n"), "\(again)")
        #expect(g.virsh("list", "--all", "--name").stdout == "\(g.name)\n\n")
        #expect(g.virsh("destroy", g.name).status == 0)
        #expect(g.virsh("list", "--all", "--name").stdout == "\n", "a transient domain is gone once destroyed")
        #expect(g.qemus.isEmpty)
        let paused = g.virsh("create", "--paused", g.xmlFile)
        #expect(paused.status == 0)
        #expect(g.virsh("domstate", g.name).stdout == "paused\n\n")
        #expect(g.virsh("destroy", g.name).status == 0)
    }

    /// `reset`: the guest starts over in the same QEMU (the counter
    /// begins again at 0), still running.
    @Test func resetRestartsTheGuestInItsQemu() throws {
        let g = try Guest("lmreset")
        defer { #expect(g.root.cleanup() == []) }
        #expect(g.virsh("define", g.xmlFile).status == 0)
        let off = g.virsh("reset", g.name)
        #expect(off.status == 1 && off.stderr == "error: Failed to reset domain '\(g.name)'\nerror: Requested operation is not valid: domain is not running\n", "\(off)")
        #expect(g.virsh("start", g.name).status == 0)
        #expect(g.counterAdvances(by: 5))
        let qemus = g.qemus
        let r = g.virsh("reset", g.name)
        #expect(r.status == 0 && r.stdout == "Domain '\(g.name)' was reset\n\n", "\(r)")
        #expect(Wait.untilBlocking { CounterGuest.counters(inLog: g.serial).filter { $0 == 0 }.count == 2 }, "the guest booted again")
        #expect(g.qemus == qemus, "in the same QEMU")
        #expect(g.virsh("domstate", g.name).stdout == "running\n\n")
        #expect(g.virsh("destroy", g.name).status == 0)
    }

    /// `setmem` and `setmaxmem`: the definition's sizes, then the running
    /// guest's balloon target, in virsh's units and words.
    /// `edit` on the embedded driver: the definition changed in $EDITOR is
    /// defined again (the next start uses it); a broken one is refused with
    /// the parser's words and the definition stays.
    @Test func editRedefinesTheDomain() throws {
        let g = try Guest("edit")
        defer { #expect(g.root.cleanup() == []) }
        #expect(g.virsh("define", g.xmlFile).status == 0)
        func edit(_ editor: String) -> VirshResult {
            Virsh.run(Virsh.ours ?? "", ["edit", g.name], env: g.env.merging(["EDITOR": editor]) { $1 })
        }
        let ok = edit("sed -i s/16384/32768/")
        #expect(ok == VirshResult(stdout: "Domain '\(g.name)' XML configuration edited.\n\n", stderr: "", status: 0), "\(ok)")
        #expect(g.info()["Max memory"] == "32768 KiB")
        let broken = edit("sed -i s/memory/memoryx/")
        #expect(broken.status == 1 && broken.stderr.hasSuffix("error: Failed.\n"), "\(broken)")
        #expect(broken.stderr.contains("Opening and ending tag mismatch"), "\(broken)")
        #expect(g.info()["Max memory"] == "32768 KiB", "the definition stays")
        #expect(g.virsh("undefine", g.name).status == 0)
    }

    @Test func setmemAndSetmaxmem() throws {
        let g = try Guest("lmsetmem", memballoon: "virtio")
        defer { #expect(g.root.cleanup() == []) }
        #expect(g.virsh("define", g.xmlFile).status == 0)
        #expect(g.virsh("setmem", g.name, "8M", "--config").status == 0)
        #expect(g.info()["Used memory"] == "8192 KiB" && g.info()["Max memory"] == "16384 KiB")
        let higher = g.virsh("setmem", g.name, "20M", "--config")
        #expect(higher.status == 1 && higher.stderr == "error: invalid argument: cannot set memory higher than max memory\n", "\(higher)")
        #expect(g.virsh("setmaxmem", g.name, "32768").status == 0)
        #expect(g.info()["Max memory"] == "32768 KiB")
        #expect(g.virsh("start", g.name).status == 0)
        #expect(g.info()["Used memory"] == "8192 KiB", "the balloon's target at start")
        #expect(g.virsh("setmem", g.name, "12M").status == 0)
        #expect(g.info()["Used memory"] == "12288 KiB")
        #expect(g.virsh("dumpxml", "--inactive", g.name).stdout.contains("<currentMemory unit='KiB'>8192</currentMemory>"),
                "a live change leaves the definition")
        let live = g.virsh("setmaxmem", g.name, "64M")
        #expect(live.stderr == "error: Unable to change MaxMemorySize\nerror: Requested operation is not valid: cannot resize the maximum memory on an active domain\n", "\(live)")
        #expect(g.counterAdvances())
        #expect(g.virsh("destroy", g.name).status == 0)
    }
}
