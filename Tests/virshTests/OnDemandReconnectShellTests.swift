import Foundation
import Glibc
import Testing
import TestSupport

/// Each virsh command on the embedded driver is its own process, which
/// opens the root: it connects the monitors of the guests it needs and no
/// other (the driver logs each at debug level, which is what is counted
/// here), and a QEMU killed between two commands is shut off by the next.
@Suite(.serialized)
struct OnDemandReconnectShellTests {
    init() throws {
        try #require(Virsh.ours != nil, "our virsh is not built")
    }

    @Test func commandsConnectOnlyTheMonitorsTheyNeed() throws {
        let root = TestRoot("odsh")
        defer { #expect(root.cleanup() == []) }
        let log = root.path + "/driver.log"
        func virsh(_ args: String...) -> (VirshResult, [String]) {
            try? FileManager.default.removeItem(atPath: log)
            let r = Virsh.run(Virsh.ours ?? "", ["-c", root.uri] + args, env: ["LIBVIRT_LOG_OUTPUTS": "1:file:\(log)"])
            let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
            let reconnected = lines.filter { $0.contains("reconnected to the monitor") }.compactMap { line in
                line.split(separator: " ").first { $0.hasPrefix("domain=") }.map { String($0.dropFirst(7)) }
            }
            return (r, reconnected)
        }
        let names = (0..<5).map { "s\($0)" }
        for name in names {
            let xml = CounterGuest.domainXML(name: name, disk: try CounterGuest.disk(in: root.path, name: "\(name).img"),
                                             serialLog: root.path + "/\(name).log")
            try xml.write(toFile: root.path + "/\(name).xml", atomically: true, encoding: .utf8)
            #expect(virsh("define", root.path + "/\(name).xml").0.status == 0)
            let (started, _) = virsh("start", "--paused", name)
            #expect(started.status == 0, "\(started)")
        }

        var (r, reconnected) = virsh("list")
        #expect(r.stdout.components(separatedBy: "paused").count - 1 == 5, "\(r)")
        #expect(reconnected == [], "list connects no monitor")
        (r, reconnected) = virsh("dominfo", "s0")
        #expect(r.stdout.contains("State:          paused"), "\(r)")
        #expect(reconnected == [], "dominfo reads what the status file says")
        (r, reconnected) = virsh("resume", "s1")
        #expect(r.status == 0, "\(r)")
        #expect(reconnected == ["s1"], "resume connects the monitor of its domain, only")
        (r, _) = virsh("domstate", "s1")
        #expect(r.stdout == "running\n\n")

        // Between two commands, one QEMU is killed.
        let s3 = root.path + "/run/qemu/domain-4-s3/"
        let doomed = try #require(TestRoot.processes(mentioning: s3).first)
        kill(doomed, SIGKILL)
        #expect(Wait.untilBlocking { TestRoot.processes(mentioning: s3).isEmpty })
        (r, reconnected) = virsh("list", "--all")
        #expect(r.stdout.contains(" -    s3     shut off"), "\(r)")
        #expect(reconnected == [])
        #expect(!FileManager.default.fileExists(atPath: root.path + "/run/qemu/domain-4-s3"))
        (r, _) = virsh("domstate", "--reason", "s3")
        #expect(r.stdout == "shut off (crashed)\n\n", "\(r)")

        for name in names where name != "s3" {
            #expect(virsh("destroy", name).0.status == 0)
        }
        #expect(TestRoot.processes(mentioning: root.path) == [])
    }
}
