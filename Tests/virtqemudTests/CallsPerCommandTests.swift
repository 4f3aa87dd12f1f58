import Foundation
import Testing
import TestSupport

/// Our virsh through a daemon makes no more calls than Debian's virsh, per
/// command and per domain: the daemon (`--verbose`) logs every procedure it
/// serves, and for each of `list`, `list --all`, `dominfo` and `domstate`,
/// with several running guests, each procedure is called by ours at most
/// as often as by Debian's (which also registers a close callback). The
/// one call ours makes that Debian's does not is `list`'s
/// `virConnectGetAllDomainStats` (`virDomainListGetStats`), once, for every
/// state at a time, where Debian's makes one `virDomainGetState` per domain.
@Suite(.serialized) struct CallsPerCommandTests {
    @Test func ourVirshCallsTheDaemonNoMoreThanDebians() throws {
        let virsh = try #require(BuiltProduct.path("virsh"), "build the package first (make test does)")
        let root = TestRoot("calls")
        defer { #expect(root.cleanup() == []) }
        let daemon = try VirtqemudProcess(root: root, extraArgs: ["--verbose"])
        defer { daemon.stop() }
        let guests = 4
        for i in 0..<guests {
            let xml = """
            <domain type='qemu'><name>g\(i)</name><memory unit='MiB'>16</memory><vcpu>1</vcpu>
            <os><type arch='x86_64' machine='pc'>hvm</type></os><devices><memballoon model='none'/></devices></domain>
            """
            let file = root.path + "/g\(i).xml"
            try xml.write(toFile: file, atomically: true, encoding: .utf8)
            #expect(try Command.virsh(daemon.uri, "define", file).status == 0)
            if i < guests - 1 { #expect(try Command.virsh(daemon.uri, "start", "--paused", "g\(i)").status == 0) }
        }

        /// The procedures one virsh run made, by name, with how often.
        func calls(_ binary: String, _ args: [String]) throws -> [String: Int] {
            let before = daemon.log.split(separator: "\n").count
            var env = ProcessInfo.processInfo.environment
            env["LIBVIRT_DEFAULT_URI"] = nil
            env["LC_ALL"] = "C"
            let r = try Subprocess.run(binary, ["-c", daemon.uri] + args, environment: env)
            #expect(r.status == 0, "\(binary) \(args): \(r)")
            // The daemon logs a call once it has replied: the client saw the reply.
            var counts: [String: Int] = [:]
            for line in daemon.log.split(separator: "\n").dropFirst(before) {
                guard let r = line.range(of: ": info : virtqemud: vir") else { continue }
                let proc = line[line.index(r.upperBound, offsetBy: -3)...].prefix { $0 != " " }
                counts[String(proc), default: 0] += 1
            }
            return counts
        }

        for args in [["list"], ["list", "--all"], ["dominfo", "g1"], ["domstate", "g1"]] {
            let ours = try calls(virsh, args)
            let debians = try calls("/usr/bin/virsh", args)
            #expect(!ours.isEmpty && !debians.isEmpty, "\(args): the daemon logged the calls")
            for (proc, n) in ours where proc != "virConnectGetAllDomainStats" {
                #expect(n <= debians[proc, default: 0], "\(args): ours calls \(proc) \(n) times, Debian's \(debians[proc, default: 0])")
            }
            if args.first == "list" {
                let listed = args.count == 1 ? guests - 1 : guests
                #expect(debians["virDomainGetState"] == listed, "\(args): Debian's virsh asks each domain's state")
                #expect(ours["virDomainGetState"] == nil, "\(args): ours asks no domain's state on its own")
                #expect(ours["virConnectGetAllDomainStats"] == 1, "\(args): ours asks every state in one call")
                #expect(ours.values.reduce(0, +) < debians.values.reduce(0, +), "\(args): \(ours) against \(debians)")
            } else {
                #expect(ours["virConnectGetAllDomainStats"] == nil)
            }
        }
        for i in 0..<(guests - 1) { #expect(try Command.virsh(daemon.uri, "destroy", "g\(i)").status == 0) }
    }
}
