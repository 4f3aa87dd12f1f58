import Foundation
import Glibc
import Testing
import TestSupport

/// `virsh upgrade-qemu`: a host's guests moved to the QEMU now on disk,
/// one at a time, stopping at the first failure.
@Suite(.serialized)
struct UpgradeQemuShellTests {
    init() throws {
        try #require(Virsh.ours != nil, "our virsh is not built")
    }

    /// A fake new build: it answers the driver's probe as 10.0 does and
    /// fails when started for a guest.
    static let brokenBuild = """
        #!/bin/sh
        case " $* " in *" -machine none "*) exec \(Emulators.qemu100) "$@";; esac
        echo 'qemu-system-x86_64: this build is broken' >&2
        exit 1

        """

    @Test func threeGuestsUpgradedStoppingAtTheFirstFailure() throws {
        let root = TestRoot("upg")
        defer { #expect(root.cleanup() == []) }
        let env = ["LIBVIRT_DEFAULT_URI": root.uri]
        func virsh(_ args: String...) -> VirshResult { Virsh.run(Virsh.ours ?? "", args, env: env) }
        // vm1 and vm3 run the emulator at a/usr/bin, vm2 the one at b/usr/bin.
        let a = try Emulators.replaceablePath(in: root.path + "/a")
        let b = try Emulators.replaceablePath(in: root.path + "/b")
        try Emulators.install(Emulators.qemu72, at: a)
        try Emulators.install(Emulators.qemu72, at: b)
        let guests = [("vm1", a), ("vm2", b), ("vm3", a)]
        for (name, emulator) in guests {
            let xml = CounterGuest.domainXML(name: name, disk: try CounterGuest.disk(in: root.path, name: name + ".img"),
                                             serialLog: "\(root.path)/\(name).log", sharedMemory: true, emulator: emulator)
            try xml.write(toFile: "\(root.path)/\(name).xml", atomically: true, encoding: .utf8)
            #expect(virsh("define", "\(root.path)/\(name).xml").status == 0)
            #expect(virsh("start", name).status == 0)
        }
        for (name, _) in guests { #expect(CounterGuest.waitForCounter(inLog: "\(root.path)/\(name).log", atLeast: 3)) }

        var r = virsh("upgrade-qemu", "--dry-run")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.components(separatedBy: "up to date").count == 4, "nothing to do yet:\n\(r.stdout)")

        // The new QEMU is installed; for vm2's emulator the new build is broken.
        try Emulators.install(Emulators.qemu100, at: a)
        let broken = root.path + "/broken-build"
        try Self.brokenBuild.write(toFile: broken, atomically: true, encoding: .utf8)
        try Emulators.install(broken, at: b)
        r = virsh("upgrade-qemu", "--dry-run")
        #expect(r.status == 0)
        #expect(r.stdout.range(of: #" vm2 +\S+/b/usr/bin/qemu-system-x86_64 +7\.2\.\d+ +10\.0\.2 +upgrade\n"#,
                               options: .regularExpression) != nil, "\(r.stdout)")
        let pidsBefore = TestRoot.processes(mentioning: root.path + "/").sorted()
        #expect(pidsBefore.count == 3)

        r = virsh("upgrade-qemu")
        #expect(r.status == 1, "\(r)")
        #expect(r.stdout.range(of: #"\[1/3\] vm1: QEMU 7\.2\.\d+ -> 10\.0\.2 in \d+ ms \(downtime \d+ ms\)\n"#,
                               options: .regularExpression) != nil, "\(r.stdout)")
        #expect(r.stdout.contains("[2/3] vm2: failed, still on QEMU 7.2."))
        #expect(!r.stdout.contains("[3/3]"), "nothing starts after a failure")
        #expect(r.stdout.range(of: #" vm1 +7\.2\.\d+ +10\.0\.2 +\d+ +\d+ +upgraded\n"#, options: .regularExpression) != nil)
        #expect(r.stdout.range(of: #" vm2 +7\.2\.\d+ +- +- +- +failed\n"#, options: .regularExpression) != nil)
        #expect(r.stdout.range(of: #" vm3 +7\.2\.\d+ +- +- +- +not attempted\n"#, options: .regularExpression) != nil)
        #expect(r.stdout.contains("Stopped at vm2, which still runs on its old QEMU: 1 of 3 upgraded."))
        #expect(r.stderr.contains("this build is broken"), "\(r.stderr)")
        #expect(LocalMigrationShellTests.runningQemu(name: "vm1", env: env) == "10.0.2")
        #expect(LocalMigrationShellTests.runningQemu(name: "vm2", env: env).hasPrefix("7.2."))
        #expect(LocalMigrationShellTests.runningQemu(name: "vm3", env: env).hasPrefix("7.2."))

        // The build is fixed: the rest goes, vm1 is left alone.
        try Emulators.install(Emulators.qemu100, at: b)
        r = virsh("upgrade-qemu", "--parallel", "2")
        #expect(r.status == 0, "\(r)")
        #expect(!r.stdout.contains(" vm1 "))
        #expect(r.stdout.range(of: #" vm2 +7\.2\.\d+ +10\.0\.2 +\d+ +\d+ +upgraded\n"#, options: .regularExpression) != nil, "\(r.stdout)")
        #expect(r.stdout.range(of: #" vm3 +7\.2\.\d+ +10\.0\.2 +\d+ +\d+ +upgraded\n"#, options: .regularExpression) != nil)
        r = virsh("upgrade-qemu")
        #expect(r == VirshResult(stdout: "Every running domain runs the QEMU now on disk.\n\n", stderr: "", status: 0))

        let pidsAfter = TestRoot.processes(mentioning: root.path + "/")
        #expect(pidsAfter.count == 3 && Set(pidsAfter).isDisjoint(with: pidsBefore), "three new QEMUs, the old ones gone")
        for (name, _) in guests {
            let log = "\(root.path)/\(name).log"
            #expect(CounterGuest.waitForCounter(inLog: log, atLeast: (CounterGuest.counters(inLog: log).last ?? 0) + 3))
            let c = CounterGuest.counters(inLog: log)
            #expect(!c.isEmpty && c == Array(0..<c.count), "\(name) counted on without a gap or a restart")
        }
    }
}
