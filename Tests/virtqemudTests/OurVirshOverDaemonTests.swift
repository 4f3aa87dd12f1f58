import Foundation
import Glibc
import Testing
import TestSupport

/// Our virsh, through libvirt's client library, against our daemon:
/// `migrate --live --local` moves the counter guest, in the two-connection
/// form (`virDomainMigrate3`, the source and destination connections two
/// clients of one daemon) and in the peer-to-peer form
/// (`virDomainMigrateToURI3`).
@Suite(.serialized) struct OurVirshOverDaemonTests {
    @Test(arguments: [[], ["--p2p"]])
    func localMigrationThroughTheDaemon(_ extra: [String]) throws {
        let virsh = try #require(BuiltProduct.path("virsh"), "build the package first (make test does)")
        let root = TestRoot("ov\(extra.isEmpty ? "2c" : "p2p")")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let serial = try PythonMigrationTests.startCounterGuest(daemon)
        let pidBefore = try #require(daemon.qemuProcesses.first)
        func ours(_ args: [String]) throws -> Subprocess.Result {
            var env = ProcessInfo.processInfo.environment
            env["LIBVIRT_DEFAULT_URI"] = nil
            env["LC_ALL"] = "C"
            return try Subprocess.run(virsh, ["-c", daemon.uri] + args, environment: env)
        }

        #expect(try ours(["domid", "vm"]).stdout == "1\n\n")
        let m = try ours(["migrate", "--live", "--local", "--verbose"] + extra + ["vm", daemon.uri])
        #expect(m.status == 0, "\(m)")
        #expect(m.stderr.contains("Migration: [100 %]"), "\(m)")
        #expect(try ours(["domid", "vm"]).stdout == "2\n\n", "a new instance")
        #expect(try ours(["domstate", "--reason", "vm"]).stdout == "running (migrated)\n\n")
        #expect(try ours(["list", "--name"]).stdout == "vm\n\n", "listed once")

        let atSwitch = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: atSwitch + 5), "the counter goes on")
        #expect(PythonMigrationTests.neverRestarted(serial))
        let after = daemon.qemuProcesses
        #expect(after.count == 1 && after.first != pidBefore, "one QEMU, the new one")

        // Without --local: libvirt's own refusal, from the daemon.
        let refused = try ours(["migrate", "--live", "vm", daemon.uri])
        #expect(refused.status == 1)
        #expect(refused.stderr.hasPrefix("error: internal error: Attempt to migrate guest to the same host "), "\(refused)")
        #expect(try ours(["domid", "vm"]).stdout == "2\n\n")
    }

    /// `upgrade-qemu` through the daemon: the running QEMU asked over
    /// libvirt's QEMU program, the binary on disk probed by virsh, the move
    /// a local migration of the daemon's.
    /// Migration limits over the wire, from Debian's virsh and ours, and
    /// `migrate --timeout --timeout-suspend` ending a migration that could
    /// not converge (the suspend comes on the migrating connection, as
    /// virsh sends it).
    @Test func migrationLimitsAndTimeoutSuspendThroughTheDaemon() throws {
        let virsh = try #require(BuiltProduct.path("virsh"), "build the package first (make test does)")
        let root = TestRoot("ovlim")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let serial = try PythonMigrationTests.startCounterGuest(daemon, shared: false, dirtier: true)
        func run(_ binary: String, _ args: String...) throws -> Subprocess.Result {
            var env = ProcessInfo.processInfo.environment
            env["LIBVIRT_DEFAULT_URI"] = nil
            env["LC_ALL"] = "C"
            return try Subprocess.run(binary, ["-c", daemon.uri] + args, environment: env)
        }
        for binary in [virsh, "/usr/bin/virsh"] {
            #expect(try run(binary, "migrate-getspeed", "vm").stdout == "8796093022207\n\n")
            #expect(try run(binary, "migrate-getmaxdowntime", "vm").stdout == "300\n\n", "QEMU's default")
            let tooFast = try run(binary, "migrate-setspeed", "vm", "8796093022208")
            #expect(tooFast.status == 1)
            #expect(tooFast.stderr == "error: numerical overflow: bandwidth must be less than 8796093022208\n")
        }
        #expect(try run("/usr/bin/virsh", "migrate-setspeed", "vm", "1").status == 0)
        #expect(try run(virsh, "migrate-setmaxdowntime", "vm", "1").status == 0)
        #expect(try run(virsh, "migrate-getspeed", "vm").stdout == "1\n\n")
        #expect(try run("/usr/bin/virsh", "migrate-getmaxdowntime", "vm").stdout == "1\n\n")
        // At 1 MiB/s and 1 ms the migration of a guest that dirties 512 KiB
        // per pass iterates without an end; after 3 s virsh suspends it and
        // it completes.
        var env = ProcessInfo.processInfo.environment
        env["LIBVIRT_DEFAULT_URI"] = nil
        env["LC_ALL"] = "C"
        let log = root.path + "/migrate.log"
        let migrate = try Subprocess(virsh, ["-c", daemon.uri, "migrate", "--live", "--local", "--timeout", "3", "--timeout-suspend",
                                             "vm", daemon.uri], environment: env, stdout: .file(log), stderr: .file(log))
        // Meanwhile, from other connections: the migration job holds the domain.
        var control: [String] = []
        if Wait.untilBlocking(timeout: .seconds(60), every: .milliseconds(50), {
            (try? run(virsh, "domjobinfo", "vm").stdout.contains("Job type:         Unbounded")) == true
        }) {
            for binary in [virsh, "/usr/bin/virsh"] {
                control.append(try run(binary, "domcontrol", "vm").stdout)
            }
        }
        #expect(control.count == 2 && control.allSatisfy { $0.range(of: #"^background job \(\d+\.\d{3}s\)\n\n$"#, options: .regularExpression) != nil },
                "\(control)")
        #expect(migrate.wait(timeout: 120))
        #expect(migrate.terminationStatus == 0, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        // It ran until virsh suspended it (3 s at least), many iterations.
        let job = try run(virsh, "domjobinfo", "--completed", "vm").stdout
        let elapsed = job.split(separator: "\n").first { $0.hasPrefix("Time elapsed:") }
            .flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true)[2]) } ?? 0
        #expect(elapsed >= 3000, "\(job)")
        #expect(try run(virsh, "domid", "vm").stdout == "2\n\n")
        #expect(try run(virsh, "domstate", "--reason", "vm").stdout == "running (migrated)\n\n")
        let atSwitch = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: atSwitch + 3), "the guest runs on after the suspend")
        #expect(PythonMigrationTests.neverRestarted(serial))
        #expect(daemon.qemuProcesses.count == 1)
        #expect(try run(virsh, "destroy", "vm").status == 0)
    }

    /// Disks plugged in through the daemon (procedures 8, 13, 160, 161):
    /// Debian's virsh and ours attach, a local migration keeps them at
    /// their addresses, Debian's virsh detaches; the refusals are the
    /// driver's, in libvirt's words.
    @Test func disksPluggedThroughTheDaemonAndKeptByALocalMigration() throws {
        let virsh = try #require(BuiltProduct.path("virsh"), "build the package first (make test does)")
        let root = TestRoot("ovhp")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let serial = try PythonMigrationTests.startCounterGuest(
            daemon, extraDevices: "<controller type='scsi' index='0' model='virtio-scsi'/>", features: "<acpi/>")
        var env = ProcessInfo.processInfo.environment
        env["LIBVIRT_DEFAULT_URI"] = nil
        env["LC_ALL"] = "C"
        func run(_ binary: String, _ args: String...) throws -> Subprocess.Result {
            try Subprocess.run(binary, ["-c", daemon.uri] + args, environment: env)
        }
        let vdb = root.path + "/vdb.img", sdb = root.path + "/sdb.img"
        for image in [vdb, sdb] { #expect(FileManager.default.createFile(atPath: image, contents: Data(count: 1 << 20))) }
        // A watcher of the device events, registered once it has seen a
        // pause and a resume.
        let events = root.path + "/events.txt"
        let watcher = try Subprocess("/usr/bin/virsh", ["-c", daemon.uri, "event", "--all", "--loop"], environment: env,
                                     stdout: .file(events), stderr: .file(events))
        defer { if watcher.isRunning { watcher.signal(SIGKILL); watcher.wait() } }
        func watched() -> String { (try? String(contentsOfFile: events, encoding: .utf8)) ?? "" }
        #expect(Wait.untilBlocking(timeout: .seconds(60), every: .milliseconds(200)) {
            _ = try? run("/usr/bin/virsh", "suspend", "vm")
            _ = try? run("/usr/bin/virsh", "resume", "vm")
            return watched().contains("Resumed Unpaused")
        })

        let a = try run("/usr/bin/virsh", "attach-disk", "vm", vdb, "vdb")
        #expect(a.status == 0 && a.stdout == "Disk attached successfully\n\n", "\(a)")
        let b = try run(virsh, "attach-disk", "vm", sdb, "sdb", "--targetbus", "scsi")
        #expect(b.status == 0 && b.stdout == "Disk attached successfully\n\n", "\(b)")
        let before = try run(virsh, "domblklist", "vm").stdout
        #expect(before.contains(" vdb      \(vdb)") && before.contains(" sdb      \(sdb)"), "\(before)")
        let xmlBefore = try run("/usr/bin/virsh", "dumpxml", "vm").stdout
        // The I/O counters through the daemon (procedure 243): the boot
        // disk was read, the new one not yet.
        let hda = try run("/usr/bin/virsh", "domblkstat", "vm", "hda").stdout
        let fields = hda.split(separator: "\n").filter { !$0.isEmpty }.map { $0.split(separator: " ").dropFirst().first.map(String.init) ?? "" }
        #expect(fields == ["rd_req", "rd_bytes", "wr_req", "wr_bytes", "flush_operations", "rd_total_times", "wr_total_times",
                           "flush_total_times"], "\(hda)")
        let reads = hda.split(separator: "\n").first { $0.hasPrefix("hda rd_bytes ") }.flatMap { Int($0.split(separator: " ")[2]) }
        #expect((reads ?? 0) > 0, "\(hda)")
        #expect(try run(virsh, "domblkstat", "vm", vdb).stdout.hasPrefix("\(vdb) rd_req 0\n"))
        // The vCPU through the daemon (procedure 20): running, on one of
        // the host's CPUs, allowed on all of them.
        let vcpu = try run("/usr/bin/virsh", "vcpuinfo", "vm").stdout
        let hostCPUs = Int(sysconf(Int32(_SC_NPROCESSORS_CONF)))
        #expect(vcpu.hasPrefix("VCPU:           0\nCPU:            ") && vcpu.contains("\nState:          running\n")
                && vcpu.contains("\nCPU Affinity:   \(String(repeating: "y", count: hostCPUs))\n"), "\(vcpu)")

        let m = try run(virsh, "migrate", "--live", "--local", "vm", daemon.uri)
        #expect(m.status == 0, "\(m)")
        let xmlAfter = try run("/usr/bin/virsh", "dumpxml", "vm").stdout
        let disks = { (xml: String) in xml.components(separatedBy: "<devices>").last?.components(separatedBy: "<controller").first }
        #expect(disks(xmlAfter) == disks(xmlBefore), "the same disks at the same addresses")

        let d = try run("/usr/bin/virsh", "detach-disk", "vm", "sdb")
        #expect(d.status == 0 && d.stdout == "Disk detached successfully\n\n", "\(d)")
        #expect(!(try run(virsh, "domblklist", "vm").stdout.contains("sdb")))
        // desc through the daemon (procedures 264, 265), and its event.
        let t = try run(virsh, "desc", "vm", "--title", "Counter guest")
        #expect(t.stdout == "Domain title updated successfully\n", "\(t)")
        #expect(try run("/usr/bin/virsh", "desc", "vm", "--title").stdout == "Counter guest\n")
        // An application's metadata element, the same procedures.
        let md = try run("/usr/bin/virsh", "metadata", "vm", "http://app1.org/", "--key", "app1", "--set", "<app><v>1</v></app>")
        #expect(md.stdout == "Metadata modified\n\n", "\(md)")
        #expect(try run(virsh, "metadata", "vm", "http://app1.org/").stdout == "<app>\n  <v>1</v>\n</app>\n\n")
        #expect(try run("/usr/bin/virsh", "dumpxml", "vm").stdout.contains("<app1:app xmlns:app1=\"http://app1.org/\">"))
        #expect(Wait.untilBlocking(timeout: .seconds(30)) {
            watched().contains("'device-removed'") && watched().contains("event 'metadata-change' for domain 'vm': type title, uri <null>")
                && watched().contains("event 'metadata-change' for domain 'vm': type element, uri http://app1.org/")
        }, "\(watched())")
        watcher.signal(SIGINT)
        #expect(watcher.wait(timeout: 30))
        let seen = watched().split(separator: "\n").filter { $0.contains("'device-") }
        #expect(seen == ["event 'device-added' for domain 'vm': virtio-disk1", "event 'device-added' for domain 'vm': scsi0-0-0-1",
                         "event 'device-removed' for domain 'vm': scsi0-0-0-1"], "\(watched())")
        let nic = root.path + "/nic.xml"
        try "<interface type='user'/>".write(toFile: nic, atomically: true, encoding: .utf8)
        for binary in ["/usr/bin/virsh", virsh] {
            let n = try run(binary, "attach-device", "vm", nic)
            #expect(n.stderr == "error: Failed to attach device from \(nic)\nerror: Operation not supported: live attach of device 'net' is not supported\n",
                    "\(n)")
        }
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: (CounterGuest.counters(inLog: serial).last ?? 0) + 3))
        #expect(PythonMigrationTests.neverRestarted(serial))
    }

    /// `console` through the daemon (procedure 201 and its stream): Debian's
    /// virsh and ours read the counter guest, leave on Ctrl-], and a
    /// second session goes on; one session at a time, `--force` takes over.
    @Test func consoleThroughTheDaemon() throws {
        let virsh = try #require(BuiltProduct.path("virsh"), "build the package first (make test does)")
        let root = TestRoot("ovcon")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        _ = try PythonMigrationTests.startCounterGuest(daemon, ptyConsole: true)
        var lastSeen = 0
        for binary in ["/usr/bin/virsh", virsh] {
            let s = try TerminalSession([binary, "-c", daemon.uri, "console", "vm"], env: ["LC_ALL": "C"])
            #expect(s.waitFor { $0.text.contains("Connected to domain 'vm'\r\nEscape character is ^] (Ctrl + ])\r\n") }, "\(s.text)")
            let seen = lastSeen
            #expect(s.waitFor { ($0.counters.last ?? 0) > seen + 2 }, "\(binary): \(s.text)")
            lastSeen = s.counters.last ?? 0

            // A second session is refused while this one runs, unless forced.
            let busy = try Subprocess.run("/usr/bin/script", ["-qfec", "'\(binary)' -c '\(daemon.uri)' console vm", "/dev/null"])
            #expect(busy.stdout.contains("error: operation failed: Active console session exists for this domain"), "\(busy)")

            s.type([0x1D])
            #expect(s.process.wait(timeout: 30), "\(binary): Ctrl-] ends the session")
            #expect(s.process.terminationStatus == 0, "\(s.text)")
        }
        let first = try TerminalSession(["/usr/bin/virsh", "-c", daemon.uri, "console", "vm"])
        #expect(first.waitFor { !$0.counters.isEmpty })
        let forced = try TerminalSession([virsh, "-c", daemon.uri, "console", "--force", "vm"])
        #expect(forced.waitFor { !$0.counters.isEmpty }, "\(forced.text)")
        #expect(first.process.wait(timeout: 30), "the session taken over ends: \(first.text)")
        forced.type([0x1D])
        #expect(forced.process.wait(timeout: 30))
        #expect(try Command.virsh(daemon.uri, "destroy", "vm").status == 0)
    }

    /// `save`/`restore` and `managedsave`/`start` from Debian's virsh
    /// through the daemon (procedures 55, 54, 182, 183): the guest counts
    /// on from where it was saved.
    /// A save is a job (libvirt's save async job): Debian's virsh sees it
    /// in `domjobinfo` from a second connection while it runs, and
    /// `domjobabort` cancels it in libvirt's words; the guest runs on in
    /// its QEMU, with no image left.
    @Test func aSaveIsAJobThatDomjobinfoSeesAndDomjobabortCancels() throws {
        let root = TestRoot("ovsavejob")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let serial = try PythonMigrationTests.startCounterGuest(daemon, shared: false, ballastMiB: 8)
        let qemu = daemon.qemuProcesses
        #expect(try Command.virsh(daemon.uri, "migrate-setspeed", "vm", "1").status == 0)
        let image = root.path + "/vm.save"
        let saving = try Subprocess("/usr/bin/virsh", ["-c", daemon.uri, "save", "vm", image], environment: ["LC_ALL": "C"],
                                    stdout: .pipe, stderr: .pipe)
        var info = ""
        #expect(Wait.untilBlocking(timeout: .seconds(60)) {
            info = (try? Command.virsh(daemon.uri, "domjobinfo", "vm"))?.stdout ?? ""
            return info.contains("Operation:        Save")
        }, "\(info)")
        #expect(info.hasPrefix("Job type:         Unbounded   \n"), "\(info)")
        #expect(try Command.virsh(daemon.uri, "domjobabort", "vm").status == 0)
        #expect(saving.wait(timeout: 60))
        let err = String(decoding: saving.standardError?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        #expect(err == "error: Failed to save domain 'vm' to \(image)\nerror: operation aborted: domain save job: canceled by client\n", "\(err)")
        #expect(try Command.virsh(daemon.uri, "domstate", "--reason", "vm").stdout == "running (save canceled)\n\n")
        #expect(!FileManager.default.fileExists(atPath: image))
        #expect(daemon.qemuProcesses == qemu)
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: (CounterGuest.counters(inLog: serial).last ?? 0) + 3))
    }

    @Test func saveAndRestoreThroughTheDaemon() throws {
        let root = TestRoot("ovsave")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let serial = try PythonMigrationTests.startCounterGuest(daemon)
        let image = root.path + "/vm.save"
        let s = try Command.virsh(daemon.uri, "save", "vm", image)
        #expect(s.status == 0 && s.stdout == "\nDomain 'vm' saved to \(image)\n\n", "\(s)")
        #expect(try Command.virsh(daemon.uri, "domstate", "--reason", "vm").stdout == "shut off (saved)\n\n")
        #expect(daemon.qemuProcesses.isEmpty)
        let r = try Command.virsh(daemon.uri, "restore", image)
        #expect(r.status == 0 && r.stdout == "Domain restored from \(image)\n\n", "\(r)")
        let atRestore = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: atRestore + 5))
        #expect(PythonMigrationTests.neverRestarted(serial))

        #expect(try Command.virsh(daemon.uri, "managedsave", "vm").status == 0)
        #expect(try Command.virsh(daemon.uri, "dominfo", "vm").stdout.contains("Managed save:   yes\n"))
        #expect(try Command.virsh(daemon.uri, "start", "vm").status == 0)
        #expect(try Command.virsh(daemon.uri, "domstate", "--reason", "vm").stdout == "running (restored)\n\n")
        let atStart = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: atStart + 3))
        #expect(PythonMigrationTests.neverRestarted(serial))
        #expect(try Command.virsh(daemon.uri, "destroy", "vm").status == 0)
        unlink(image)
    }

    /// The counter guest `vm` with these options, defined on `daemon`.
    static func defineCounterGuest(_ root: TestRoot, on daemon: VirtqemudProcess, extraDevices: String = "", memballoon: String = "none",
                                   features: String = "", vcpu: String = "<vcpu>1</vcpu>") throws {
        let xml = root.path + "/vm.xml"
        try CounterGuest.domainXML(name: "vm", disk: try CounterGuest.disk(in: root.path), serialLog: root.path + "/serial.log",
                                   extraDevices: extraDevices, memballoon: memballoon, features: features, vcpu: vcpu)
            .write(toFile: xml, atomically: true, encoding: .utf8)
        #expect(try Command.virsh(daemon.uri, "define", xml).status == 0)
    }

    /// `dommemstat` of a guest with a virtio balloon: the memory the
    /// balloon leaves it (`query-balloon`) and the QEMU's resident size,
    /// the same through Debian's virsh and ours; the guest has no balloon
    /// driver, so of its own statistics only `last_update` (0) is there,
    /// the others being "not collected" (-1) for QEMU.
    /// `capabilities`, `domcapabilities` and `maxvcpus` with our virsh
    /// through the daemon (libvirt's client library): what Debian's virsh
    /// prints there, errors included.
    @Test func hostCapabilitiesThroughTheDaemon() throws {
        let virsh = try #require(BuiltProduct.path("virsh"), "build the package first (make test does)")
        let root = TestRoot("ovcaps")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        defer { daemon.stop() }
        let uuid = { (t: String) in CapabilitiesGolden.maskUUID(t) }
        for args in [["capabilities"], ["domcapabilities"], ["domcapabilities", "--virttype", "qemu", "--machine", "q35"],
                     ["domcapabilities", "--virttype", "bogus"], ["maxvcpus"], ["maxvcpus", "--type", "qemu"],
                     ["maxvcpus", "--type", "bogus"]] {
            let debians = try Command.virsh(daemon.uri, args)
            let ours = try Command.run(virsh, ["-c", daemon.uri] + args)
            #expect(ours.status == debians.status && uuid(ours.combined) == uuid(debians.combined),
                    "virsh \(args): \(ours) against \(debians)")
        }
    }

    @Test func memoryStatisticsThroughTheDaemon() throws {
        let virsh = try #require(BuiltProduct.path("virsh"), "build the package first (make test does)")
        let root = TestRoot("ovmem")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        try Self.defineCounterGuest(root, on: daemon, memballoon: "virtio")
        let off = try Command.virsh(daemon.uri, "dommemstat", "vm")
        #expect(off.status == 1)
        #expect(off.stderr == "error: Failed to get memory statistics for domain vm\nerror: Requested operation is not valid: domain is not running\n")
        #expect(try Command.virsh(daemon.uri, "start", "--paused", "vm").status == 0)
        let rss = { (t: String) in t.replacingOccurrences(of: #"(?m)^rss \d+$"#, with: "rss N", options: .regularExpression) }
        let debians = try Command.virsh(daemon.uri, "dommemstat", "vm")
        let ours = try Command.run(virsh, ["-c", daemon.uri, "dommemstat", "vm"])
        #expect(rss(debians.stdout) == "actual 16384\nlast_update 0\nrss N\n\n", "\(debians)")
        #expect(rss(ours.stdout) == rss(debians.stdout), "\(ours)")
        #expect(try Command.virsh(daemon.uri, "destroy", "vm").status == 0)
    }

    /// `screenshot` and `send-key` with our virsh through the daemon
    /// (libvirt's client library: the image arrives as the call's stream),
    /// as Debian's virsh gets them.
    @Test func screenshotAndSendKeyThroughTheDaemon() throws {
        let virsh = try #require(BuiltProduct.path("virsh"), "build the package first (make test does)")
        let root = TestRoot("ovshot")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        try Self.defineCounterGuest(root, on: daemon, extraDevices: "<video><model type='vga'/></video>")
        #expect(try Command.virsh(daemon.uri, "start", "vm").status == 0)
        #expect(CounterGuest.waitForCounter(inLog: root.path + "/serial.log", atLeast: 3))
        let (mine, debians) = (root.path + "/ours.png", root.path + "/debians.png")
        let ours = try Command.run(virsh, ["-c", daemon.uri, "screenshot", "vm", "--file", mine])
        let theirs = try Command.virsh(daemon.uri, "screenshot", "vm", "--file", debians)
        #expect(ours.stdout == "Screenshot saved to \(mine), with type of image/png\n", "\(ours)")
        #expect(theirs.stdout == "Screenshot saved to \(debians), with type of image/png\n", "\(theirs)")
        // The same screen: the counter guest draws nothing on it.
        let a = FileManager.default.contents(atPath: mine), b = FileManager.default.contents(atPath: debians)
        #expect(a != nil && a == b)
        let key = try Command.run(virsh, ["-c", daemon.uri, "send-key", "vm", "--holdtime", "20", "KEY_LEFTCTRL", "KEY_C"])
        #expect(key.status == 0 && key.stderr.isEmpty, "\(key)")
        #expect(try Command.virsh(daemon.uri, "destroy", "vm").status == 0)
    }

    /// `setvcpus` and `vcpucount` of our virsh through the daemon (libvirt's
    /// client library): vCPUs plugged into the guest, counts that
    /// Debian's virsh reads the same.
    @Test func setvcpusThroughTheDaemon() throws {
        let virsh = try #require(BuiltProduct.path("virsh"), "build the package first (make test does)")
        let root = TestRoot("ovvcpu")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        try Self.defineCounterGuest(root, on: daemon, features: "<acpi/>", vcpu: "<vcpu current='1'>3</vcpu>")
        #expect(try Command.virsh(daemon.uri, "start", "vm").status == 0)
        func ours(_ args: String...) throws -> String {
            let r = try Command.run(virsh, ["-c", daemon.uri] + args)
            return r.stdout + r.stderr
        }
        let counts = "maximum      config         3\nmaximum      live           3\ncurrent      config         1\ncurrent      live           %d\n\n"
        #expect(try ours("vcpucount", "vm") == String(format: counts, 1))
        #expect(try ours("setvcpus", "vm", "3") == "\n")
        #expect(try ours("vcpucount", "vm") == String(format: counts, 3))
        #expect(try Command.virsh(daemon.uri, "vcpucount", "vm").stdout == String(format: counts, 3))
        #expect(try ours("setvcpus", "vm", "4", "--live")
                == "\nerror: invalid argument: requested vcpus is greater than max allowable vcpus for the live domain: 4 > 3\n")
        #expect(try ours("vcpucount", "vm", "--guest") == "\nerror: argument unsupported: QEMU guest agent is not configured\n")
        #expect(try Command.virsh(daemon.uri, "destroy", "vm").status == 0)
    }

    /// A destination QEMU that cannot load the stream: our virsh reports
    /// its reason through libvirt's client library (whose
    /// virDomainMigrateVersion3Full replaces Perform's "job failed" by
    /// Finish's error; Debian's virsh has no --local), in the two-connection
    /// and peer-to-peer forms, and the guest runs on in its source.
    @Test func aFailedMigrationReportsTheDestinationQemusReason() throws {
        let virsh = try #require(BuiltProduct.path("virsh"), "build the package first (make test does)")
        let root = TestRoot("ovfail")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let serial = try PythonMigrationTests.startCounterGuest(daemon)
        let bad = root.path + "/qemu-other-machine"
        try """
            #!/bin/sh
            \(Emulators.answerProbesWithQemu72)
            for a in "$@"; do [ "$a" = "-incoming" ] && exec \(Emulators.qemu72) "$@" -machine pc-i440fx-7.1; done
            exec \(Emulators.qemu72) "$@"
            """.write(toFile: bad, atomically: true, encoding: .utf8)
        chmod(bad, 0o755)
        func run(_ binary: String, _ args: String...) throws -> Subprocess.Result { try runArgs(binary, args) }
        func runArgs(_ binary: String, _ args: [String]) throws -> Subprocess.Result {
            var env = ProcessInfo.processInfo.environment
            env["LIBVIRT_DEFAULT_URI"] = nil
            env["LC_ALL"] = "C"
            return try Subprocess.run(binary, ["-c", daemon.uri] + args, environment: env)
        }
        let xml = try run(virsh, "dumpxml", "--migratable", "vm").stdout
        let dest = root.path + "/dest.xml"
        try xml.replacingOccurrences(of: #"<emulator>[^<]*</emulator>"#, with: "<emulator>\(bad)</emulator>", options: .regularExpression)
            .write(toFile: dest, atomically: true, encoding: .utf8)
        for p2p in [[], ["--p2p"]] {
            let binary = virsh
            let m = try runArgs(binary, ["migrate", "--live", "--local"] + p2p + ["--xml", dest, "vm", daemon.uri])
            #expect(m.status == 1, "\(m)")
            #expect(m.stderr.hasPrefix("error: internal error: qemu unexpectedly closed the monitor: "), "\(binary): \(m.stderr)")
            #expect(m.stderr.contains("Machine type received is 'pc-i440fx-7.2' and local is 'pc-i440fx-7.1'"), "\(binary): \(m.stderr)")
            #expect(try run(virsh, "domid", "vm").stdout == "1\n\n", "the source instance runs on")
        }
        let last = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: last + 3))
        #expect(daemon.qemuProcesses.count == 1)
        #expect(try run(virsh, "destroy", "vm").status == 0)
    }

    @Test func upgradeQemuThroughTheDaemon() throws {
        let virsh = try #require(BuiltProduct.path("virsh"), "build the package first (make test does)")
        let root = TestRoot("ovupg")
        defer { #expect(root.cleanup() == []) }
        let emulator = try Emulators.replaceablePath(in: root.path)
        try Emulators.install(Emulators.qemu72, at: emulator)
        let daemon = try VirtqemudProcess(root: root)
        let serial = try PythonMigrationTests.startCounterGuest(daemon, emulator: emulator)
        func ours(_ args: String...) throws -> Subprocess.Result {
            var env = ProcessInfo.processInfo.environment
            env["LIBVIRT_DEFAULT_URI"] = nil
            env["LC_ALL"] = "C"
            return try Subprocess.run(virsh, ["-c", daemon.uri] + args, environment: env)
        }
        #expect(try ours("upgrade-qemu").stdout == "Every running domain runs the QEMU now on disk.\n\n")
        try Emulators.install(Emulators.qemu100, at: emulator)
        let r = try ours("upgrade-qemu")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.range(of: #" vm +7\.2\.\d+ +10\.0\.2 +\d+ +\d+ +upgraded\n"#, options: .regularExpression) != nil, "\(r)")
        #expect(try ours("domid", "vm").stdout == "2\n\n")
        let version = try ours("qemu-monitor-command", "vm", "--pretty", "query-version")
        #expect(version.stdout.contains("\"major\": 10"), "\(version)")
        let atSwitch = CounterGuest.counters(inLog: serial).last ?? 0
        #expect(CounterGuest.waitForCounter(inLog: serial, atLeast: atSwitch + 3))
        #expect(PythonMigrationTests.neverRestarted(serial))
        #expect(daemon.qemuProcesses.count == 1)
    }

    /// `qemu-monitor-command` through libvirt-qemu.so.0 (which our virsh
    /// loads for it) and the daemon's QEMU program: what Debian's virsh
    /// prints for the same commands.
    @Test func monitorCommandsThroughLibvirtQemu() throws {
        let virsh = try #require(BuiltProduct.path("virsh"), "build the package first (make test does)")
        let root = TestRoot("ovqmc")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        _ = try PythonMigrationTests.startCounterGuest(daemon, shared: false)
        for args in [[#"{"execute":"query-version"}"#], ["--pretty", "query-status"], ["--return-value", "query-name"],
                     ["--hmp", "info", "status"], ["query-status", "bar"], ["--pass-fds", "0", "query-name"],
                     ["--pass-fds", "0,x", "query-name"]] {
            let full = ["-c", daemon.uri, "qemu-monitor-command", "vm"] + args
            var env = ProcessInfo.processInfo.environment
            env["LIBVIRT_DEFAULT_URI"] = nil
            env["LC_ALL"] = "C"
            let o = try Subprocess.run(virsh, full, environment: env)
            let d = try Command.run("/usr/bin/virsh", full)
            let masked = { (t: String) in t.replacingOccurrences(of: #""libvirt-[0-9]+""#, with: "N", options: .regularExpression) }
            #expect(masked(o.stdout) == masked(d.stdout) && o.stderr == d.stderr && o.status == d.status,
                    "qemu-monitor-command \(args)\nours: \(o)\nDebian's: \(d)")
        }
        let ro = try Subprocess.run(virsh, ["-r", "-c", daemon.uri, "qemu-monitor-command", "vm", "query-name"])
        #expect(ro.stderr == "error: operation forbidden: read only access prevents virDomainQemuMonitorCommand\n", "\(ro)")
    }
}

/// `domxml-to-native qemu-argv` through the daemon (procedure 136,
/// `virConnectDomainXMLToNative`): Debian's virsh and ours get the line the
/// embedded driver prints for the same definition, and the same refusals.
@Suite struct DomXMLToNativeOverDaemonTests {
    @Test func debiansVirshAndOursGetTheDriversCommandLine() throws {
        let virsh = try #require(BuiltProduct.path("virsh"), "build the package first (make test does)")
        let root = TestRoot("ovnat")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root)
        let file = Fixtures.projectRoot.appendingPathComponent("fixtures/virt-install/debian11-q35-spice.xml").path
        let xml = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "@DISKDIR@", with: root.path)
        let xmlFile = root.path + "/d.xml"
        try xml.write(toFile: xmlFile, atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        env["LIBVIRT_DEFAULT_URI"] = nil
        env["LC_ALL"] = "C"
        func run(_ program: String, _ uri: String, _ args: [String]) throws -> Subprocess.Result {
            try Subprocess.run(program, ["-c", uri] + args, environment: env)
        }
        let embedded = try run(virsh, root.uri.replacingOccurrences(of: root.path, with: root.path + "/other"),
                               ["domxml-to-native", "qemu-argv", xmlFile])
        #expect(embedded.status == 0, "\(embedded)")
        #expect(embedded.stdout.contains("-device virtio-vga,id=video0,max_outputs=1,bus=pcie.0,addr=0x1"))
        for program in [virsh, "/usr/bin/virsh"] {
            let r = try run(program, daemon.uri, ["domxml-to-native", "qemu-argv", xmlFile])
            #expect(r.status == 0, "\(program): \(r)")
            // The same line, but for the root's paths.
            #expect(r.stdout == embedded.stdout.replacingOccurrences(of: root.path + "/other/", with: root.path + "/"), "\(program)")
            let bad = try run(program, daemon.uri, ["domxml-to-native", "vmware-vmx", xmlFile])
            #expect(bad.status == 1 &&  bad.stderr == "error: invalid argument: unsupported config type vmware-vmx\n", "\(program): \(bad)")
            let readOnly = try run(program, daemon.uri, ["-r", "domxml-to-native", "qemu-argv", xmlFile])
            #expect(readOnly.status == 1, "\(program): \(readOnly)")
            #expect(readOnly.stderr.contains("operation forbidden: read only access prevents virConnectDomainXMLToNative"), "\(program): \(readOnly)")
        }
    }
}
