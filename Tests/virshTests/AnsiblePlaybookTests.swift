import Foundation
import Glibc
import Testing
import TestSupport

/// examples/ansible/upgrade-qemu.yml run by Debian's ansible-playbook
/// against two "hosts" on this machine (each a local connection to an
/// embedded root with a running guest): the roll-out stops at the host
/// that fails, and goes through once that host is fixed.
@Suite(.serialized)
struct AnsiblePlaybookTests {
    static let playbook = Fixtures.projectRoot.appendingPathComponent("examples/ansible/upgrade-qemu.yml").path
    static let ansiblePlaybook = "/usr/bin/ansible-playbook"

    init() throws {
        try #require(Virsh.ours != nil, "our virsh is not built")
        try #require(FileManager.default.isExecutableFile(atPath: Self.ansiblePlaybook),
                     "ansible-playbook is missing (scripts/setup.sh installs ansible-core)")
    }

    /// One host: an embedded root whose guest runs a 7.2 binary that the
    /// host's install command replaces.
    struct Host {
        let name: String
        let root: TestRoot
        let emulator: String
        var uri: String { root.uri }
        var installScript: String { root.path + "/install-qemu.sh" }
        var installedMarker: String { root.path + "/installed" }

        init(_ name: String) throws {
            self.name = name
            root = TestRoot("ans-\(name)")
            emulator = try Emulators.replaceablePath(in: root.path)
            try Emulators.install(Emulators.qemu72, at: emulator)
            let xml = CounterGuest.domainXML(name: "vm", disk: try CounterGuest.disk(in: root.path), serialLog: root.path + "/serial.log",
                                             sharedMemory: true, emulator: emulator)
            try xml.write(toFile: root.path + "/vm.xml", atomically: true, encoding: .utf8)
            #expect(virsh("define", root.path + "/vm.xml").status == 0)
            #expect(virsh("start", "vm").status == 0)
        }

        /// What the host's install command puts at the emulator's path.
        func willInstall(_ source: String) throws {
            try """
                #!/bin/sh
                set -e
                cp '\(source)' '\(emulator).dpkg-new'
                chmod 755 '\(emulator).dpkg-new'
                mv '\(emulator).dpkg-new' '\(emulator)'
                touch '\(installedMarker)'

                """.write(toFile: installScript, atomically: true, encoding: .utf8)
        }

        @discardableResult
        func virsh(_ args: String...) -> VirshResult { Virsh.run(Virsh.ours ?? "", ["-c", uri] + args) }

        var runningQemu: String { LocalMigrationShellTests.runningQemu(name: "vm", env: ["LIBVIRT_DEFAULT_URI": uri]) }
    }

    static func run(_ hosts: [Host], in dir: String) throws -> Subprocess.Result {
        var inventory = "[qemu_hosts]\n"
        for h in hosts {
            inventory += "\(h.name) ansible_connection=local ansible_python_interpreter=/usr/bin/python3 "
                + "libvirt_uri='\(h.uri)' qemu_install_command='sh \(h.installScript)'\n"
        }
        inventory += "\n[qemu_hosts:vars]\nvirsh=\(Virsh.ours ?? "virsh")\n"
        try inventory.write(toFile: dir + "/inventory.ini", atomically: true, encoding: .utf8)
        var env = ProcessInfo.processInfo.environment
        env["LIBVIRT_DEFAULT_URI"] = nil
        env["LC_ALL"] = "C.UTF-8"
        env["HOME"] = dir
        env["ANSIBLE_HOME"] = dir + "/.ansible"
        env["ANSIBLE_LOCAL_TEMP"] = dir + "/.ansible/tmp"
        env["ANSIBLE_REMOTE_TEMP"] = dir + "/.ansible/tmp"
        env["ANSIBLE_NOCOLOR"] = "1"
        env["ANSIBLE_RETRY_FILES_ENABLED"] = "0"
        return try Subprocess.run(ansiblePlaybook, ["-i", dir + "/inventory.ini", playbook], environment: env, timeout: 600)
    }

    @Test func theRollOutStopsAtAFailedHostAndGoesOnOnceItIsFixed() throws {
        let control = TestRoot("ans-ctl")
        let h1 = try Host("h1"), h2 = try Host("h2")
        defer {
            #expect(h1.root.cleanup() == [])
            #expect(h2.root.cleanup() == [])
            #expect(control.cleanup() == [])
        }
        let broken = h1.root.path + "/broken-build"
        try UpgradeQemuShellTests.brokenBuild.write(toFile: broken, atomically: true, encoding: .utf8)
        chmod(broken, 0o755)
        try h1.willInstall(broken)
        try h2.willInstall(Emulators.qemu100)

        var r = try Self.run([h1, h2], in: control.path)
        #expect(r.status != 0, "the playbook fails:\n\(r.stdout)")
        #expect(r.stdout.contains("this build is broken"), "\(r.stdout)")
        #expect(!FileManager.default.fileExists(atPath: h2.installedMarker), "the next host is not touched")
        #expect(h1.runningQemu.hasPrefix("7.2."), "the failed host's guest runs on its old QEMU")
        #expect(h2.runningQemu.hasPrefix("7.2."))

        try h1.willInstall(Emulators.qemu100)
        r = try Self.run([h1, h2], in: control.path)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
        #expect(r.stdout.range(of: #"h1 +: ok=\d+ +changed=\d+ +unreachable=0 +failed=0"#, options: .regularExpression) != nil, "\(r.stdout)")
        #expect(r.stdout.range(of: #"h2 +: ok=\d+ +changed=\d+ +unreachable=0 +failed=0"#, options: .regularExpression) != nil)
        #expect(h1.runningQemu == "10.0.2")
        #expect(h2.runningQemu == "10.0.2")
        for h in [h1, h2] {
            let c = CounterGuest.counters(inLog: h.root.path + "/serial.log")
            #expect(!c.isEmpty && c == Array(0..<c.count), "\(h.name)'s guest counted on")
        }
    }
}
