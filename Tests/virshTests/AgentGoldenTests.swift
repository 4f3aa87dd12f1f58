import Foundation
import Testing
import TestSupport

/// Commands answered by the guest agent: the Linux guest, which runs
/// Debian's qemu-ga on its `org.qemu.guest_agent.0` channel, defined and
/// started twice, in our embedded driver through our virsh and in Debian's
/// libvirtd through Debian's virsh. Each agent answers for its own guest,
/// so what differs by nature (the clocks' seconds) is masked and checked
/// for sense on its own.
@Suite(.serialized)
final class AgentGoldenTests {
    let root = TestRoot("agent")
    let name = "lmagent\(getpid() % 100_000)"
    let reference: ReferenceLibvirtd?
    var embedded: [String: String] { ["LIBVIRT_DEFAULT_URI": root.uri] }
    static let system = ["LIBVIRT_DEFAULT_URI": "qemu:///system"]

    init() throws {
        reference = ReferenceLibvirtd.acquire()
        #expect(reference != nil, "Debian's libvirtd (libvirt-daemon-system) does not answer on \(ReferenceLibvirtd.uri)")
        #expect(Virsh.ours != nil, "our virsh is not built")
        // libvirtd's QEMU runs as libvirt-qemu: its files are the root's,
        // which it may read (kernel and initramfs copied in, so that its
        // relabelling touches nothing outside the root).
        chmod(root.path, 0o755)
        let kernel = root.path + "/vmlinuz", initrd = root.path + "/initramfs.cpio"
        try FileManager.default.copyItem(atPath: LinuxGuest.kernel, toPath: kernel)
        try FileManager.default.copyItem(atPath: try LinuxGuest.initramfs(), toPath: initrd)
        for dir in [root.path + "/ours", root.path + "/ref"] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            chmod(dir, 0o777)
            let xml = try LinuxGuest.domainXML(name: name, disk: try LinuxGuest.disk(in: dir), serialLog: dir + "/serial.log",
                                               dataDisk: try LinuxGuest.dataDisk(in: dir))
                .replacingOccurrences(of: LinuxGuest.kernel, with: kernel)
                .replacingOccurrences(of: try LinuxGuest.initramfs(), with: initrd)
            try xml.write(toFile: dir + "/\(name).xml", atomically: true, encoding: .utf8)
        }
    }

    deinit {
        Virsh.reference("destroy", name, env: Self.system)
        Virsh.reference("undefine", name, env: Self.system)
        Virsh.ours("destroy", name, env: embedded)
        reference?.release()
        #expect(root.cleanup() == [], "the test leaves nothing behind")
    }

    /// Ours on the embedded driver, Debian's on libvirtd, each masked.
    func same(_ args: String..., masking: (String) -> String = { $0 }, sourceLocation: SourceLocation = #_sourceLocation) {
        same(args, masking: masking, sourceLocation: sourceLocation)
    }

    func same(_ args: [String], masking: (String) -> String = { $0 }, sourceLocation: SourceLocation = #_sourceLocation) {
        var (o, r) = (Virsh.run(Virsh.ours ?? "", args, env: embedded), Virsh.run(Virsh.reference, args, env: Self.system))
        o.stdout = masking(o.stdout); o.stderr = masking(o.stderr)
        r.stdout = masking(r.stdout); r.stderr = masking(r.stderr)
        #expect(o == r, "virsh \(args.joined(separator: " "))", sourceLocation: sourceLocation)
    }

    /// - Parameter vcpu: the `<vcpu>` element the definitions get in
    ///   place of the Linux guest's one vCPU.
    func defineBoth(vcpu: String? = nil) throws {
        for (virsh, env, dir) in [(Virsh.ours ?? "", embedded, "ours"), (Virsh.reference, Self.system, "ref")] {
            var file = root.path + "/\(dir)/\(name).xml"
            if let vcpu {
                let xml = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "<vcpu>1</vcpu>", with: vcpu)
                file = root.path + "/\(dir)/\(name)-vcpus.xml"
                try xml.write(toFile: file, atomically: true, encoding: .utf8)
            }
            let defined = Virsh.run(virsh, ["define", file], env: env)
            #expect(defined.status == 0, "\(dir): \(defined)")
        }
    }

    /// Both guests started and their agents up.
    func startBoth() {
        for (virsh, env, dir) in [(Virsh.ours ?? "", embedded, "ours"), (Virsh.reference, Self.system, "ref")] {
            let started = Virsh.run(virsh, ["start", name], env: env)
            #expect(started.status == 0, "\(dir): \(started)")
        }
        bothBooted(1)
    }

    /// Both guests' consoles have said `line` `count` times.
    func bothSaid(_ line: String, _ count: Int, timeout: Duration = .seconds(120), sourceLocation: SourceLocation = #_sourceLocation) {
        for dir in ["ours", "ref"] {
            let log = root.path + "/\(dir)/serial.log"
            #expect(Wait.untilBlocking(timeout: timeout) { LinuxGuest.lines(inLog: log).filter { $0 == line }.count == count },
                    "\(dir): '\(line)' \(count) times: \(LinuxGuest.lines(inLog: log))", sourceLocation: sourceLocation)
        }
    }

    /// Both guests booted `boots` times (their agents started as often),
    /// each having said `line` on the way, and their agents answering.
    func bothBooted(_ boots: Int, after line: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
        bothSaid("agent", boots, sourceLocation: sourceLocation)
        if let line {
            for dir in ["ours", "ref"] {
                #expect(LinuxGuest.lines(inLog: root.path + "/\(dir)/serial.log").contains(line), "\(dir): '\(line)'",
                        sourceLocation: sourceLocation)
            }
        }
        // qemu-ga opens its port a moment after it says it started.
        for (virsh, env) in [(Virsh.ours ?? "", embedded), (Virsh.reference, Self.system)] {
            #expect(Wait.untilBlocking(timeout: .seconds(60)) { Virsh.run(virsh, ["domtime", name], env: env).status == 0 },
                    "\(virsh): the agent answers", sourceLocation: sourceLocation)
        }
    }

    static func seconds(_ text: String) -> Int64? {
        let line = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix("Time: ") else { return nil }
        return Int64(line.dropFirst(6))
    }

    @Test func theAgentsCommands() throws {
        try defineBoth()
        // Shut off: no agent to ask.
        same("domtime", name)
        same("domfsinfo", name)
        same("guestinfo", name)
        startBoth()

        // The guest's clock is the host's (the RTC starts from it).
        let clock = { (t: String) in t.replacingOccurrences(of: #"^Time: \d+$"#, with: "Time: N", options: .regularExpression) }
        let pretty = { (t: String) in
            t.replacingOccurrences(of: #"^Time: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"#, with: "Time: D", options: .regularExpression)
        }
        same("domtime", name, masking: clock)
        same("domtime", "--pretty", name, masking: pretty)
        let ours = Virsh.run(Virsh.ours ?? "", ["domtime", name], env: embedded)
        let host = Int64(Date().timeIntervalSince1970)
        let guest = try #require(Self.seconds(ours.stdout), "\(ours)")
        #expect(abs(guest - host) < 60, "the guest's clock (\(guest)) is about the host's (\(host))")

        // Set, read back, from the RTC, from the host; and virsh's refusals.
        same("domtime", name, "--time", "1700000000")
        let set = Virsh.run(Virsh.ours ?? "", ["domtime", name], env: embedded)
        let afterSet = try #require(Self.seconds(set.stdout), "\(set)")
        #expect(afterSet >= 1_700_000_000 && afterSet < 1_700_000_060, "the guest's clock was set: \(afterSet)")
        same("domtime", name, "--sync")
        same("domtime", name, "--now")
        let now = Virsh.run(Virsh.ours ?? "", ["domtime", name], env: embedded)
        #expect(abs((Self.seconds(now.stdout) ?? 0) - Int64(Date().timeIntervalSince1970)) < 60, "set to the host's time: \(now)")
        same("domtime", name, "--now", "--sync")
        same("domtime", name, "--time", "1", "--now")
        same("domtime", name, "--time", "x")
        same("domtime", name, "--time", "99999999999999")

        // The filesystem on the second disk, found by its PCI address;
        // what the guest says about itself (the two guests are alike).
        same("domfsinfo", name)
        same("-q", "domfsinfo", name)
        same("guestinfo", name)
        for option in ["--user", "--os", "--timezone", "--hostname", "--filesystem", "--disk", "--interface"] {
            same("guestinfo", name, option)
        }
        same("guestinfo", name, "--hostname", "--disk")
        same("domhostname", name)
        same("domhostname", name, "--source", "agent")
        same("domhostname", name, "--source", "lease")
        same("domhostname", name, "--source", "x")
        #expect(Virsh.run(Virsh.ours ?? "", ["domhostname", name], env: embedded).stdout == "lmguest\n\n")
        // Interface addresses from the agent (the guest's loopback and its
        // user-network address) and the DHCP leases (none: no libvirt
        // network). The ARP table has none of a user-network guest; here
        // libvirtd 9.0 fails to read it ("internal error: wrong nlmsg len",
        // its netlink dump on this kernel), so ours is checked alone.
        for args in [["--source", "agent"], ["--source", "agent", "--full"], ["--source", "agent", "--interface", "eth0"],
                     [], ["--source", "lease"], ["--source", "bogus"]] {
            same(["domifaddr", name] + args)
        }
        let arp = Virsh.run(Virsh.ours ?? "", ["domifaddr", name, "--source", "arp"], env: embedded)
        #expect(arp.status == 0 && arp.stdout == " Name       MAC address          Protocol     Address\n" + String(repeating: "-", count: 79) + "\n\n",
                "\(arp)")
        let addrs = Virsh.run(Virsh.ours ?? "", ["domifaddr", name, "--source", "agent"], env: embedded).stdout
        #expect(addrs.contains(" eth0       52:54:00:4c:4d:01    ipv4         10.0.2.15/24\n")
                && addrs.contains(" lo         00:00:00:00:00:00    ipv4         127.0.0.1/8\n"), "\(addrs)")
        let info = Virsh.run(Virsh.ours ?? "", ["guestinfo", name, "--filesystem", "--hostname"], env: embedded).stdout
        #expect(info.contains("hostname            : lmguest\n") && info.contains("fs.0.mountpoint     : /mnt/data\n")
                && info.contains("fs.0.disk.0.alias   : vdb\n"), "\(info)")

        // A paused guest's agent cannot answer: libvirt does not ask.
        same("suspend", name)
        same("domtime", name)
        same("domfsinfo", name)
        same("guestinfo", name)
        same("domifaddr", name, "--source", "agent")
        same("domhostname", name)
        same("resume", name)

        // Reboot and power off through the agent (guest-shutdown): both
        // guests boot again, then end, shut off for the reason a guest
        // gives. Ways this driver does not have are refused alike.
        for mode in ["initctl", "signal,agent", "paravirt", "bogus", "acpi,bogus"] {
            same("reboot", name, "--mode", mode)
            same("shutdown", name, "--mode", mode)
        }
        same("reboot", name, "--mode", "agent")
        bothBooted(2, after: "rebooting")
        same("domstate", "--reason", name)
        // By the ACPI power button: each guest's acpid powers it off, and
        // each driver resets and resumes its QEMU (a fake reboot).
        bothSaid("acpid", 2, timeout: .seconds(60))
        same("reboot", name, "--mode", "acpi")
        bothBooted(3, after: "powering off")
        same("domstate", "--reason", name)
        same("shutdown", name, "--mode", "agent")
        for (virsh, env) in [(Virsh.ours ?? "", embedded), (Virsh.reference, Self.system)] {
            #expect(Wait.untilBlocking(timeout: .seconds(60)) { Virsh.run(virsh, ["domstate", name], env: env).stdout == "shut off\n\n" },
                    "\(virsh): the guest powered off")
        }
        same("domstate", "--reason", name)
        same("reboot", name, "--mode", "agent")
        same("shutdown", name, "--mode", "agent")
        same("undefine", name)
    }

    /// vCPUs plugged into the Linux guest, then brought online and offline
    /// inside it by its agent (`setvcpus --guest`, `vcpucount --guest`:
    /// guest-get-vcpus, guest-set-vcpus), the same in both; then one
    /// unplugged, which the guest lets go (ACPI eject) after a while.
    @Test func vcpusThroughTheAgentAndHotplug() throws {
        try defineBoth(vcpu: "<vcpu current='1'>2</vcpu>")
        startBoth()
        same("vcpucount", name, "--guest")
        same("setvcpus", name, "1", "--guest")
        same("setvcpus", name, "2", "--guest")
        same("setvcpus", name, "2")
        // The guest's kernel adds the CPU when ACPI tells it, a moment later.
        for (virsh, env) in [(Virsh.ours ?? "", embedded), (Virsh.reference, Self.system)] {
            #expect(Wait.untilBlocking(timeout: .seconds(60)) {
                Virsh.run(virsh, ["vcpucount", name, "--guest", "--maximum"], env: env).stdout == "2\n\n"
            }, "\(virsh): the guest sees the plugged vCPU")
        }
        same("vcpucount", name, "--guest")
        let guestCount = { Virsh.run(Virsh.ours ?? "", ["vcpucount", self.name, "--guest"], env: self.embedded).stdout }
        #expect(guestCount() == "1\n\n", "plugged, not yet online in the guest")
        same("setvcpus", name, "2", "--guest")
        same("vcpucount", name, "--guest")
        #expect(guestCount() == "2\n\n")
        same("setvcpus", name, "1", "--guest")
        same("vcpucount", name, "--guest")
        #expect(guestCount() == "1\n\n")
        same("setvcpus", name, "3", "--guest")
        same("setvcpus", name, "2", "--guest")

        // An unplug is refused under TCG: once a vCPU was unplugged from
        // it, QEMU crashes on the next vCPU plug or migration (libvirtd lets
        // that happen; not repeated on it).
        let unplug = Virsh.run(Virsh.ours ?? "", ["setvcpus", name, "1", "--live"], env: embedded)
        #expect(unplug.stderr == "error: Operation not supported: cannot unplug vCPUs from domain '\(name)' under TCG: "
                + "its QEMU would crash on the next vCPU plug or migration\n", "\(unplug)")
        // One unplugged anyway, behind the driver's back: the guest ejects
        // it after a while; the next connection finds it gone from QEMU's
        // list, takes it out of the live definition, and then refuses what
        // would crash that QEMU.
        let del = Virsh.run(Virsh.ours ?? "", ["qemu-monitor-command", name, #"{"execute":"device_del","arguments":{"id":"vcpu1"}}"#],
                            env: embedded)
        #expect(del.status == 0, "\(del)")
        // Each qemu-monitor-command connects the monitor, and a connection
        // reads QEMU's list first: the guest may finish the eject between
        // that read and the query, so the driver's view is asked after a
        // query that found the vCPU gone, until a connection has seen it.
        var counts = VirshResult(stdout: "", stderr: "", status: -1)
        #expect(Wait.untilBlocking(timeout: .seconds(60)) {
            let cpus = Virsh.run(Virsh.ours ?? "", ["qemu-monitor-command", name, #"{"execute":"query-cpus-fast"}"#], env: embedded)
            guard cpus.status == 0, !cpus.stdout.contains("\"cpu-index\":1") else { return false }
            counts = Virsh.run(Virsh.ours ?? "", ["vcpucount", name, "--live"], env: embedded)
            return counts.stdout == "1\n\n"
        }, "the guest lets the vCPU go, and the driver sees it: \(counts)")
        let vcpus = DomainXMLVcpus.lines(Virsh.run(Virsh.ours ?? "", ["dumpxml", name], env: embedded).stdout)
        #expect(vcpus.contains("    <vcpu id='1' enabled='no' hotpluggable='yes'/>"), "\(vcpus)")
        let replug = Virsh.run(Virsh.ours ?? "", ["setvcpus", name, "2"], env: embedded)
        #expect(replug.stderr == "error: Operation not supported: cannot plug vCPUs into domain '\(name)': a vCPU was unplugged from its QEMU, "
                + "which crashes under TCG when one is plugged again; restart the domain first\n", "\(replug)")
        let moved = Virsh.run(Virsh.ours ?? "", ["migrate", "--live", "--local", name, root.uri], env: embedded)
        #expect(moved.stderr == "error: Operation not supported: cannot migrate domain '\(name)': a vCPU was unplugged from its QEMU, "
                + "which crashes under TCG when it migrates; restart the domain first\n", "\(moved)")
        #expect(Virsh.run(Virsh.ours ?? "", ["domstate", name], env: embedded).stdout == "running\n\n", "the guest runs on")
        same("destroy", name)
        same("undefine", name)
    }
}
